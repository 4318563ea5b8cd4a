import Crypto
import Foundation

/// What makes two tries of a step interchangeable: the command and environment as written with
/// their parameter and item values filled in (paths and run ids left symbolic), the item, and the
/// content hash of every input file. Equal keys mean the earlier outputs can be reused.
enum CacheKey {
    static func compute(step: StepSpec, params: [String: ExpressionValue], item: ExpressionValue?,
                        inputHashes: [String: [String: String]]) throws -> String {
        func symbolic(_ text: String) throws -> String {
            try CommandTemplate(text).render { path in
                switch path.first {
                case "params": params[path[1]]?.plainText ?? ""
                case "item": item?.plainText ?? ""
                default: "{{\(path.joined(separator: "."))}}"
                }
            }
        }
        struct Material: Encodable {
            var command: String
            var env: [String: String]
            /// Always part of the key: a command may read it from $CAIRN_ITEM instead of {{item}}.
            var item: ExpressionValue?
            var inputs: [String: [String: String]]
            var outputs: [String]
        }
        var env: [String: String] = [:]
        for (key, value) in step.env { env[key] = try symbolic(value) }
        let material = Material(command: try symbolic(step.command), env: env, item: item, inputs: inputHashes, outputs: step.outputs)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return SHA256.hash(data: try encoder.encode(material)).map { String(format: "%02x", $0) }.joined()
    }
}
