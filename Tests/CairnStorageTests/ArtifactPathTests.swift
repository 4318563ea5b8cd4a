import CairnCore
import Testing
@testable import CairnStorage

@Suite("Artifact paths refuse anything that could leave their root")
struct ArtifactPathTests {
    @Test("Relative paths are normalised", arguments: [
        ("a/b.txt", "a/b.txt"), ("a//b.txt", "a/b.txt"), ("./a/./b", "a/b"), ("dir/", "dir"), ("", ""),
    ])
    func normalises(input: String, expected: String) throws {
        #expect(try ArtifactPath(validating: input).value == expected)
    }

    @Test("Traversal and absolute paths are refused", arguments: [
        "..", "../x", "a/../../b", "a/..", "/etc/passwd", "a\\..\\b", "C:/x", "a/\0b",
    ])
    func refusesDecoded(path: String) {
        #expect(throws: CairnError.self) { try ArtifactPath(validating: path) }
    }

    @Test("Percent-encoded traversal is refused, also when encoded twice", arguments: [
        "%2e%2e/x", "a/%2E%2E/%2e%2e/b", "%2fetc%2fpasswd", "%252e%252e/x", "a%2f..%2f..%2fb",
    ])
    func refusesEncoded(path: String) {
        #expect(throws: CairnError.self) { try ArtifactPath(percentEncoded: path) }
    }

    @Test("Encoded ordinary characters decode")
    func decodesOrdinaryCharacters() throws {
        #expect(try ArtifactPath(percentEncoded: "my%20dir/file%2Bv2.txt").value == "my dir/file+v2.txt")
    }

    @Test("Containment and relative paths")
    func containment() throws {
        let root = try ArtifactPath(validating: "1/run/artifacts")
        let file = try ArtifactPath(validating: "1/run/artifacts/a/b.txt")
        let sibling = try ArtifactPath(validating: "1/run/artifactsX/b.txt")
        #expect(root.contains(file))
        #expect(!root.contains(sibling))
        #expect(root.relativePath(of: file) == "a/b.txt")
        #expect(root.relativePath(of: sibling) == nil)
    }
}
