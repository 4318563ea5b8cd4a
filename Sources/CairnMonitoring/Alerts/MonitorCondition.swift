import CairnCore
import Foundation

/// What a monitor watches and when it counts as breached, written the way people say it:
/// `p99 > 200 ms for 5 min`, `error_rate > 5 %`, `drift > 0`, `accuracy < 0.9 for 10m`.
public struct MonitorCondition: Codable, Sendable, Equatable {
    public enum Signal: String, Codable, Sendable, CaseIterable {
        case latencyP50 = "p50", latencyP95 = "p95", latencyP99 = "p99"
        case errorRate = "error_rate"
        /// The share of features whose drift test fires (0 to 1).
        case drift
        case accuracy, precision, recall, rmse, mae

        /// Latency compares in milliseconds; drift, error rate and the classification metrics are fractions.
        var isLatency: Bool { [.latencyP50, .latencyP95, .latencyP99].contains(self) }
        var isFraction: Bool { [.errorRate, .drift, .accuracy, .precision, .recall].contains(self) }
        /// Accuracy and friends need labels (feedback); the rest need only traffic.
        public var needsLabels: Bool { [.accuracy, .precision, .recall, .rmse, .mae].contains(self) }
    }

    public enum Comparison: String, Codable, Sendable {
        case above = ">", atLeast = ">=", below = "<", atMost = "<="
    }

    public var signal: Signal
    public var comparison: Comparison
    /// In milliseconds for latency, as a fraction for shares and rates.
    public var threshold: Double
    /// How long the condition must hold before the alert fires.
    public var forSeconds: Int

    public init(signal: Signal, comparison: Comparison, threshold: Double, forSeconds: Int) {
        self.signal = signal
        self.comparison = comparison
        self.threshold = threshold
        self.forSeconds = forSeconds
    }

    public func isBreached(by value: Double) -> Bool {
        switch comparison {
        case .above: value > threshold
        case .atLeast: value >= threshold
        case .below: value < threshold
        case .atMost: value <= threshold
        }
    }

    public var description: String {
        let amount = signal.isLatency ? "\(Self.number(threshold)) ms" : Self.number(threshold)
        return "\(signal.rawValue) \(comparison.rawValue) \(amount)" + (forSeconds > 0 ? " for \(forSeconds) s" : "")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static let signalNames: [String: Signal] = {
        var names = Dictionary(uniqueKeysWithValues: Signal.allCases.map { ($0.rawValue, $0) })
        names["latency_p50"] = .latencyP50
        names["latency_p95"] = .latencyP95
        names["latency_p99"] = .latencyP99
        names["drift_share"] = .drift
        return names
    }()
    static let durationUnits: [String: Int] = ["s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
                                               "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "h": 3600, "hour": 3600, "hours": 3600]

    /// Parses `<signal> <op> <number> [ms|s|%] [for <number> <s|m|min|h>]`, naming what is wrong otherwise.
    public init(parsing text: String) throws(CairnError) {
        let tokens = Self.tokens(text)
        func refuse(_ why: String) -> CairnError {
            .invalidParameter("Condition '\(text)': \(why). Write it like 'p99 > 200 ms for 5 min', 'error_rate > 5 %' or 'drift > 0'.")
        }
        guard tokens.count >= 3 else { throw refuse("expected a signal, a comparison and a threshold") }
        guard let signal = Self.signalNames[tokens[0].lowercased()] else {
            throw refuse("unknown signal '\(tokens[0])' (one of \(Signal.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let comparison = Comparison(rawValue: tokens[1]) else { throw refuse("'\(tokens[1])' is not one of >, >=, <, <=") }
        guard let number = Double(tokens[2]), number.isFinite else { throw refuse("'\(tokens[2])' is not a number") }
        var threshold = number
        var rest = Array(tokens.dropFirst(3))
        if let unit = rest.first, unit.lowercased() != "for" {
            switch (unit.lowercased(), signal) {
            case ("ms", let latency) where latency.isLatency: break
            case ("s", let latency) where latency.isLatency: threshold *= 1000
            case ("%", let fraction) where fraction.isFraction: threshold /= 100
            default: throw refuse("'\(unit)' is not a unit of \(signal.rawValue)")
            }
            rest.removeFirst()
        }
        var seconds = 0
        if !rest.isEmpty {
            guard rest[0].lowercased() == "for", rest.count >= 2 else { throw refuse("expected 'for <duration>' after the threshold") }
            let (amount, unit) = Self.splitDuration(rest[1])
            guard let amount, amount >= 0 else { throw refuse("'\(rest[1])' is not a duration") }
            let unitName = (unit.isEmpty ? (rest.count > 2 ? rest[2] : "s") : unit).lowercased()
            guard let scale = Self.durationUnits[unitName] else { throw refuse("'\(unitName)' is not a unit of time (s, m, min, h)") }
            guard rest.count == (unit.isEmpty && rest.count > 2 ? 3 : 2) else { throw refuse("unexpected words after the duration") }
            guard amount * Double(scale) <= 30 * 86_400 else { throw refuse("a duration is at most 30 days") }
            seconds = Int(amount * Double(scale))
        }
        if signal.isFraction, !(0...1).contains(threshold) { throw refuse("\(signal.rawValue) is a share between 0 and 1 (or 0 % to 100 %)") }
        if threshold < 0 { throw refuse("the threshold cannot be negative") }
        self.signal = signal
        self.comparison = comparison
        self.threshold = threshold
        forSeconds = seconds
    }

    /// Words and symbols: `p99>200ms` reads as `p99`, `>`, `200`, `ms`.
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var kind: Character? = nil  // "a" word, "n" number, "o" operator
        for character in text {
            let next: Character? = character.isWhitespace ? nil
                : "<>=".contains(character) ? "o"
                : (character.isNumber || character == ".") && kind != "a" ? "n"
                : character == "%" ? "%" : "a"
            if next != kind || next == "%" {
                if !current.isEmpty { tokens.append(current) }
                current = ""
            }
            if next != nil { current.append(character) }
            kind = next
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// `5m` → (5, "m"); `30` → (30, "").
    static func splitDuration(_ token: String) -> (Double?, String) {
        let digits = token.prefix { $0.isNumber || $0 == "." }
        return (Double(digits), String(token.dropFirst(digits.count)))
    }
}
