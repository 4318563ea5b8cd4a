import CairnCore
import Foundation

/// A feature view's source rows, read from its CSV file: the entity key of each row (its join
/// keys' values joined; stored as a number into `keyNames`), the event and created timestamps,
/// and each declared feature's values.
public struct FeatureTable: Sendable {
    /// Each distinct entity key once, in order of first appearance.
    public var keyNames: [String]
    /// Each row's entity key, as an index into `keyNames`.
    public var keyIDs: [Int32]
    public var eventTimes: [Int64]
    public var createdTimes: [Int64?]
    /// One column per feature, in the view's order.
    public var columns: [FeatureColumn]

    public var count: Int { keyIDs.count }

    /// The entity key of `row`.
    public func key(_ row: Int) -> String { keyNames[Int(keyIDs[row])] }

    /// How recent a row is: by event time, then created time (a row without one counts as oldest).
    func recency(_ row: Int) -> (Int64, Int64) { (eventTimes[row], createdTimes[row] ?? .min) }

    /// Joins the values of several join keys into one key (a unit separator between them).
    public static func key(_ values: [String]) -> String { values.joined(separator: "\u{1F}") }

    public init(keyNames: [String], keyIDs: [Int32], eventTimes: [Int64], createdTimes: [Int64?], columns: [FeatureColumn]) {
        self.keyNames = keyNames
        self.keyIDs = keyIDs
        self.eventTimes = eventTimes
        self.createdTimes = createdTimes
        self.columns = columns
    }

    /// A table of rows given with their keys as text.
    public init(keys: [String], eventTimes: [Int64], createdTimes: [Int64?], columns: [FeatureColumn]) {
        var interner = KeyInterner()
        self.init(keyNames: [], keyIDs: keys.map { interner.id($0) }, eventTimes: eventTimes, createdTimes: createdTimes, columns: columns)
        keyNames = interner.names
    }
}

/// Numbers entity keys in order of first appearance. Looked up by their bytes (an open-addressing
/// table over a hash of them), so the millions of rows of a source make a String only for each
/// key's first row.
struct KeyInterner {
    /// A key's hash beside its number (-1: an empty slot) and, when it fits, its bytes, so a
    /// probe usually reads one place in memory.
    private struct Slot {
        var hash: UInt64 = 0
        var id: Int32 = -1
        /// The key's length when it is kept in `inline` (16 bytes at most), else -1.
        var inlineLength: Int32 = -1
        var inline: (UInt64, UInt64) = (0, 0)

        func holds(_ key: UnsafeBufferPointer<UInt8>, names: [String]) -> Bool {
            guard inlineLength >= 0 else { return names[Int(id)].utf8.elementsEqual(key) }
            return Int(inlineLength) == key.count && Slot.pack(key) == inline
        }

        static func pack(_ key: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(key)) }
            return words
        }
    }

    private(set) var names: [String] = []
    private var slots = [Slot](repeating: Slot(), count: 1024)

    mutating func id(_ key: String) -> Int32 {
        var key = key
        return key.withUTF8 { id($0) }
    }

    mutating func id(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let hash = Self.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot].id >= 0 {
            if slots[slot].hash == hash, slots[slot].holds(key, names: names) { return slots[slot].id }
            slot = (slot + 1) & mask
        }
        let id = Int32(names.count)
        names.append(String(decoding: key, as: UTF8.self))
        let fits = key.count <= 16
        slots[slot] = Slot(hash: hash, id: id, inlineLength: fits ? Int32(key.count) : -1, inline: fits ? Slot.pack(key) : (0, 0))
        if names.count * 2 > slots.count { grow() }
        return id
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        let mask = slots.count - 1
        for entry in old where entry.id >= 0 {
            var slot = Int(truncatingIfNeeded: entry.hash) & mask
            while slots[slot].id >= 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }

    /// FNV-1a, then a finalizer that spreads the bits (for the table's low-bit slots).
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
