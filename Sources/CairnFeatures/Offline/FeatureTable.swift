import CairnCore
import Foundation

/// A feature view's source rows, read from its CSV file: the entity key of each row (its join
/// keys' values joined; stored as its number in `keys`), the event and created timestamps,
/// and each declared feature's values.
public struct FeatureTable: Sendable {
    /// Each distinct entity key once, numbered in order of first appearance, found by its bytes.
    public var keys: KeyInterner
    /// Each row's entity key, as its number in `keys` (an index into `keyNames`).
    public var keyIDs: [Int32]
    public var eventTimes: [Int64]
    public var createdTimes: [Int64?]
    /// One column per feature, in the view's order.
    public var columns: [FeatureColumn]

    public var count: Int { keyIDs.count }

    /// Each distinct entity key once, in order of first appearance.
    public var keyNames: [String] { keys.names }

    /// The entity key of `row`.
    public func key(_ row: Int) -> String { keyNames[Int(keyIDs[row])] }

    /// How recent a row is: by event time, then created time (a row without one counts as oldest).
    func recency(_ row: Int) -> (Int64, Int64) { (eventTimes[row], createdTimes[row] ?? .min) }

    /// Joins the values of several join keys into one key (a unit separator between them).
    public static func key(_ values: [String]) -> String { values.joined(separator: "\u{1F}") }

    public init(keys: KeyInterner, keyIDs: [Int32], eventTimes: [Int64], createdTimes: [Int64?], columns: [FeatureColumn]) {
        self.keys = keys
        self.keyIDs = keyIDs
        self.eventTimes = eventTimes
        self.createdTimes = createdTimes
        self.columns = columns
    }

    /// A table of rows given with their keys as text.
    public init(keys: [String], eventTimes: [Int64], createdTimes: [Int64?], columns: [FeatureColumn]) {
        var interner = KeyInterner()
        let keyIDs = keys.map { interner.id($0) }
        self.init(keys: interner, keyIDs: keyIDs, eventTimes: eventTimes, createdTimes: createdTimes, columns: columns)
    }
}
