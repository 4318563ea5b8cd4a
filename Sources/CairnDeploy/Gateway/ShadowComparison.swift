import CairnHTTP
import NIOCore

/// Whether a shadow revision's answer agrees with the one the client got: same status, and for
/// successful answers the same JSON, numbers equal within a relative 1e-6, ignoring the fields
/// that name the model or the request (`model_name`, `model_version`, `id`).
enum ShadowComparison {
    static let ignoredKeys: Set<String> = ["model_name", "model_version", "id"]
    static let tolerance = 1e-6

    static func agree(primaryStatus: Int, primary: ByteBuffer, shadowStatus: Int, shadow: ByteBuffer) -> Bool {
        guard primaryStatus == shadowStatus else { return false }
        guard (200..<300).contains(primaryStatus) else { return true }
        guard let mine = try? JSONValue.parse(primary.readableBytesView), let theirs = try? JSONValue.parse(shadow.readableBytesView) else {
            return primary == shadow
        }
        return same(mine, theirs)
    }

    static func same(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case (.object(let a), .object(let b)):
            let keysA = Set(a.keys).subtracting(ignoredKeys), keysB = Set(b.keys).subtracting(ignoredKeys)
            return keysA == keysB && keysA.allSatisfy { same(a[$0]!, b[$0]!) }
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        default:
            if let x = number(left), let y = number(right) {
                return x == y || abs(x - y) <= tolerance * max(abs(x), abs(y))
            }
            return left == right
        }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }
}
