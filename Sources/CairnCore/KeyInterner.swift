/// Numbers keys (entity keys, categories) in order of first appearance. Looked up by their bytes
/// (an open-addressing table over a hash of them), so the millions of rows of a file make a
/// String only for each key's first row.
public struct KeyInterner: Sendable {
    /// A key's hash beside its number (-1: an empty slot) and, when it fits, its bytes, so a
    /// probe usually reads one place in memory.
    private struct Slot {
        var hash: UInt64 = 0
        var id: Int32 = -1
        /// The key's length when it is kept in `inline` (16 bytes at most), else -1.
        var inlineLength: Int32 = -1
        var inline: (UInt64, UInt64) = (0, 0)

        /// Whether the slot holds the key whose bytes are `key` (`packed` when they fit inline).
        func holds(_ key: UnsafeBufferPointer<UInt8>, packed: (UInt64, UInt64)?, names: [String]) -> Bool {
            guard let packed else { return inlineLength < 0 && names[Int(id)].utf8.elementsEqual(key) }
            return Int(inlineLength) == key.count && inline == packed
        }

        /// Up to 16 bytes as two little-endian words, zeros after them.
        static func pack(_ key: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
            var low: UInt64 = 0, high: UInt64 = 0
            for (index, byte) in key.enumerated() {
                if index < 8 {
                    low |= UInt64(byte) << UInt64(index * 8)
                } else {
                    high |= UInt64(byte) << UInt64((index - 8) * 8)
                }
            }
            return (low, high)
        }
    }

    public private(set) var names: [String] = []
    private var slots = [Slot](repeating: Slot(), count: 1024)

    public init() {}

    /// The number of `key`, given it now if it has none.
    public mutating func id(_ key: String) -> Int32 {
        var key = key
        return key.withUTF8 { id($0) }
    }

    public mutating func id(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let probe = probe(key)
        if let found = probe.found { return found }
        let id = Int32(names.count)
        names.append(String(decoding: key, as: UTF8.self))
        slots[probe.slot] = Slot(hash: probe.hash, id: id, inlineLength: probe.packed == nil ? -1 : Int32(key.count), inline: probe.packed ?? (0, 0))
        if names.count * 2 > slots.count { grow() }
        return id
    }

    /// The number of `key`, if it has one (the table is not changed).
    public func find(_ key: String) -> Int32? {
        var key = key
        return key.withUTF8 { probe($0).found }
    }

    /// Where `key` is in the table, or the free slot where it would go.
    private func probe(_ key: UnsafeBufferPointer<UInt8>) -> (found: Int32?, slot: Int, hash: UInt64, packed: (UInt64, UInt64)?) {
        // A short key is hashed and compared as two words, a longer one byte by byte.
        let packed = key.count <= 16 ? Slot.pack(key) : nil
        let hash = packed.map { Self.hash($0, count: key.count) } ?? Self.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot].id >= 0 {
            if slots[slot].hash == hash, slots[slot].holds(key, packed: packed, names: names) { return (slots[slot].id, slot, hash, packed) }
            slot = (slot + 1) & mask
        }
        return (nil, slot, hash, packed)
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
        return spread(hash)
    }

    /// A short key's two words and length mixed into one hash.
    static func hash(_ words: (UInt64, UInt64), count: Int) -> UInt64 {
        spread((words.0 &* 0x9E37_79B9_7F4A_7C15) ^ (words.1 &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(count))
    }

    /// Half of Murmur3's finalizer: high bits folded into the low ones the table's slots use.
    static func spread(_ value: UInt64) -> UInt64 {
        var hash = value
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
