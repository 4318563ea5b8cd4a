import Foundation

/// Wall-clock time in the units MLflow uses on the wire (milliseconds since the Unix epoch).
public enum Clock {
    public static func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
