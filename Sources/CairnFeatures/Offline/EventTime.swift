import CairnCore
import Foundation

/// Timestamps as microseconds since the epoch, UTC, read from what CSV files and Feast write:
/// `2024-01-15 10:30:00`, `2024-01-15T10:30:00.123456Z`, `… +00:00`, `… UTC`, a date alone, or
/// seconds since the epoch. Naive times are UTC (Feast's rule).
public enum EventTime {
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// `parse` of a CSV field's bytes: no String is made for the usual forms, as a source of
    /// millions of rows is read through here.
    public static func parse(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        var start = 0, end = field.count
        while start < end, field[start] == UInt8(ascii: " ") { start += 1 }
        while end > start, field[end - 1] == UInt8(ascii: " ") { end -= 1 }
        let bytes = UnsafeBufferPointer(rebasing: field[start..<end])
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-") else { return epochSeconds(bytes) }
        var length = bytes.count
        var offsetSeconds: Int64 = 0
        if length > 4, bytes[length - 4] == UInt8(ascii: " "), bytes[length - 3] == UInt8(ascii: "U"), bytes[length - 2] == UInt8(ascii: "T"),
           bytes[length - 1] == UInt8(ascii: "C") {
            length -= 4
        } else if bytes[length - 1] == UInt8(ascii: "Z") {
            length -= 1
        } else if length > 19, let sign = (19..<length).last(where: { bytes[$0] == UInt8(ascii: "+") || bytes[$0] == UInt8(ascii: "-") }) {
            // A trailing ±hh:mm or ±hhmm offset.
            let zone = bytes[(sign + 1)..<length].filter { $0 != UInt8(ascii: ":") }
            guard zone.count == 4, zone.allSatisfy({ (48...57).contains($0) }) else { return nil }
            let digits = zone.map { Int64($0 - 48) }
            offsetSeconds = ((digits[0] * 10 + digits[1]) * 3600 + (digits[2] * 10 + digits[3]) * 60) * (bytes[sign] == UInt8(ascii: "+") ? 1 : -1)
            length = sign
            while length > 0, bytes[length - 1] == UInt8(ascii: " ") { length -= 1 }
        }
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= length else { return nil }
            var value: Int64 = 0
            for index in range {
                let byte = bytes[index]
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard length >= 10, bytes[7] == UInt8(ascii: "-"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds: Int64 = 0
        var micros: Int64 = 0
        if length > 10 {
            guard length >= 19, bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"),
                  let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19), hour < 24, minute < 60, second < 61 else { return nil }
            seconds = hour * 3600 + minute * 60 + second
            if length > 19 {
                // A fraction of a second: microseconds kept, finer digits dropped.
                let digits = 20..<length
                guard bytes[19] == UInt8(ascii: "."), (1...9).contains(digits.count), number(digits) != nil else { return nil }
                for index in digits.prefix(6) { micros = micros * 10 + Int64(bytes[index] - 48) }
                for _ in digits.prefix(6).count..<6 { micros *= 10 }
            }
        }
        return (daysFromCivil(year: year, month: month, day: day) * 86_400 + seconds - offsetSeconds) * 1_000_000 + micros
    }

    /// Seconds since the epoch (a decimal number, up to the year 9999), as microseconds.
    static func epochSeconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !bytes.contains(UInt8(ascii: "-")), let seconds = CSVTokenizer.number(bytes), seconds.isFinite, seconds < 253_402_300_800 else { return nil }
        return Int64((seconds * 1_000_000).rounded())
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `2024-01-15T10:30:00Z`, with microseconds when there are any. Written by hand: it runs
    /// for every value of an online read, where a date formatter per call would cost milliseconds.
    public static func format(_ micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : String(value) }
        var text = "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60))"
        if fraction != 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        return text + "Z"
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
