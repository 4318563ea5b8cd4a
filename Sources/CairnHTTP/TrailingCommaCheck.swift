/// Foundation's JSON parser accepts trailing commas (`{"a": 1,}`), which JSON — and MLflow's
/// server — reject. This finds one outside string literals so such a body is refused too.
enum TrailingCommaCheck {
    static func containsTrailingComma(_ bytes: some Sequence<UInt8>) -> Bool {
        var inString = false
        var escaped = false
        var lastSignificant: UInt8 = 0
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    lastSignificant = byte
                }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                continue
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if lastSignificant == UInt8(ascii: ",") { return true }
            case UInt8(ascii: "\""):
                inString = true
            default:
                break
            }
            lastSignificant = byte
        }
        return false
    }
}
