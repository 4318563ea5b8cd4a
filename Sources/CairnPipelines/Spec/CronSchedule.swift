import Foundation

/// A five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC.
/// Fields take `*`, numbers, ranges `a-b`, lists `a,b` and steps `*/n` or `a-b/n`; day-of-week
/// 0 and 7 are Sunday. As in cron, when both day fields are restricted a day matching either runs.
public struct CronSchedule: Sendable, Equatable {
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public struct Invalid: Error {
        public var message: String
    }

    public init(_ expression: String) throws(Invalid) {
        let fields = expression.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw Invalid(message: "expected five cron fields (minute hour day-of-month month day-of-week), got \(fields.count)")
        }
        minutes = try Self.field(fields[0], name: "minute", range: 0...59)
        hours = try Self.field(fields[1], name: "hour", range: 0...23)
        daysOfMonth = try Self.field(fields[2], name: "day-of-month", range: 1...31)
        months = try Self.field(fields[3], name: "month", range: 1...12)
        daysOfWeek = Set(try Self.field(fields[4], name: "day-of-week", range: 0...7).map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    /// The first whole minute strictly after `date` that the schedule fires at (searches 5 years).
    public func next(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var minute = (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
        let limit = minute + 5 * 366 * 86_400
        while minute < limit {
            let moment = Date(timeIntervalSince1970: minute)
            let parts = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: moment)
            guard months.contains(parts.month!) else {
                minute += 86_400 - Double(parts.hour! * 3600 + parts.minute! * 60)  // to the next day
                continue
            }
            let dayMatches: Bool
            let domMatches = daysOfMonth.contains(parts.day!), dowMatches = daysOfWeek.contains(parts.weekday! - 1)
            switch (dayOfMonthRestricted, dayOfWeekRestricted) {
            case (true, true): dayMatches = domMatches || dowMatches
            case (true, false): dayMatches = domMatches
            case (false, true): dayMatches = dowMatches
            case (false, false): dayMatches = true
            }
            guard dayMatches else {
                minute += 86_400 - Double(parts.hour! * 3600 + parts.minute! * 60)
                continue
            }
            guard hours.contains(parts.hour!) else {
                minute += 3600 - Double(parts.minute! * 60)
                continue
            }
            if minutes.contains(parts.minute!) { return moment }
            minute += 60
        }
        return nil
    }

    private static func field(_ text: String, name: String, range: ClosedRange<Int>) throws(Invalid) -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw Invalid(message: "invalid \(name) field '\(text)'") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw Invalid(message: "invalid step in \(name) field '\(text)'") }
                step = parsed
            }
            var bounds = range
            if pieces[0] != "*" {
                let ends = pieces[0].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
                guard (1...2).contains(ends.count), let low = ends[0], let high = ends.count == 2 ? ends[1] : (pieces.count == 2 ? range.upperBound : low),
                      range.contains(low), range.contains(high), low <= high else {
                    throw Invalid(message: "invalid \(name) field '\(text)' (allowed \(range.lowerBound)-\(range.upperBound))")
                }
                bounds = low...high
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }
}
