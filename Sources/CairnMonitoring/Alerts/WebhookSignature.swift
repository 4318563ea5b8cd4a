import Crypto
import Foundation

/// The signature a webhook receiver checks: `sha256=` and the hex HMAC-SHA256 of the exact body
/// bytes under the channel's secret, in the `X-Cairn-Signature-256` header (GitHub's scheme).
public enum WebhookSignature {
    public static let header = "X-Cairn-Signature-256"

    public static func sign(_ body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }
}
