import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Tells an alert's channels that it fired or resolved. Each webhook delivery runs in the
/// background and is retried with exponential backoff on a network error, a 5xx or a 429 (the
/// same `X-Cairn-Delivery` id each time, so a receiver can drop a repeat); a 2xx or another 4xx ends it.
public final class AlertNotifier: Sendable {
    /// Waits before each retry: six more tries over about half a minute.
    public static let retryDelays: [Duration] = [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16)]
    let logger: Logger
    let retryDelays: [Duration]

    public init(logger: Logger, retryDelays: [Duration] = AlertNotifier.retryDelays) {
        self.logger = logger
        self.retryDelays = retryDelays
    }

    public func notify(_ alert: Alert, channels: [AlertChannel]) {
        for channel in channels {
            switch channel {
            case .log:
                let level: Logger.Level = alert.state == .resolved ? .notice : alert.severity == .critical ? .critical : .warning
                logger.log(level: level, "alert \(alert.state.rawValue): \(alert.deployment)/\(alert.monitor) [\(alert.severity.rawValue)] \(alert.message)")
            case .webhook(let url, let secret):
                Task { await deliver(alert, to: url, secret: secret) }
            }
        }
    }

    /// Whether the receiver took the alert, after every retry if need be.
    @discardableResult
    public func deliver(_ alert: Alert, to url: String, secret: String?) async -> Bool {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        guard let body = try? Array(encoder.encode(alert)) else { return false }
        let delivery = UUID().uuidString.lowercased()
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "cairn-alerts")
        request.headers.add(name: "X-Cairn-Alert-Id", value: alert.id)
        request.headers.add(name: "X-Cairn-Alert-State", value: alert.state.rawValue)
        request.headers.add(name: "X-Cairn-Delivery", value: delivery)
        if let secret { request.headers.add(name: WebhookSignature.header, value: WebhookSignature.sign(body, secret: secret)) }
        request.body = .bytes(ByteBuffer(bytes: body))
        var problem = ""
        for attempt in 0...retryDelays.count {
            if attempt > 0 { try? await Task.sleep(for: retryDelays[attempt - 1]) }
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                _ = try? await response.body.collect(upTo: 1 << 16)
                let status = Int(response.status.code)
                if (200..<300).contains(status) { return true }
                problem = "answered \(status)"
                if status < 500 && status != 429 { break }
            } catch {
                problem = "\(error)"
            }
        }
        logger.error("webhook \(url) did not take alert \(alert.id) (\(alert.state.rawValue)) of \(alert.deployment)/\(alert.monitor): \(problem)")
        return false
    }
}
