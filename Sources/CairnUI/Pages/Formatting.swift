import Foundation

/// How pages print timestamps, durations and numbers.
enum Formatting {
    /// Milliseconds since the epoch as `yyyy-MM-dd HH:mm:ss` UTC.
    static func date(_ millis: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    /// A duration between two millisecond timestamps, e.g. `1h 02m`, `3.4s`.
    static func duration(from start: Int64, to end: Int64?) -> String {
        guard let end, end >= start else { return "" }
        let seconds = Double(end - start) / 1000
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let minutes = Int(seconds) / 60
        if minutes < 60 { return "\(minutes)m \(String(format: "%02d", Int(seconds) % 60))s" }
        return "\(minutes / 60)h \(String(format: "%02d", minutes % 60))m"
    }

    /// A metric value with up to 6 significant digits; NaN and infinities spelled out.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return String(format: "%.6g", value)
    }

    /// One URL path segment, percent-encoded (model names and artifact file names may hold spaces,
    /// `?` or `#`).
    static func pathSegment(_ text: some StringProtocol) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? String(text)
    }
}
