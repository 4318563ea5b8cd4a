import CairnCore
import Foundation

/// Where an alert is told: the server's log, or a webhook (a JSON POST, HMAC-signed when the
/// channel has a secret, retried with backoff until the receiver answers 2xx).
public enum AlertChannel: Codable, Sendable, Equatable {
    case log
    case webhook(url: String, secret: String?)

    func validate() throws(CairnError) {
        guard case .webhook(let url, let secret) = self else { return }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host?.isEmpty == false else {
            throw .invalidParameter("Webhook url '\(url)' is not an http(s) URL.")
        }
        if let secret, secret.isEmpty { throw .invalidParameter("A webhook secret cannot be empty (leave it out for unsigned deliveries).") }
    }
}
