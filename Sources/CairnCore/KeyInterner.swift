/// Numbers keys (entity keys, categories) in order of first appearance. Looked up by their bytes
/// (an open-addressing table over a hash of them), so the millions of rows of a file make a
/// String only for each key's first row.
public struct KeyInterner: Sendable {
    /// 16 bytes, so the table of 100,000 keys is 4 MB: a probe usually reads one place in memory,
    /// and the whole table stays in cache longer.
    private struct Slot {
        /// A key of up to 8 bytes itself (little-endian, zeros after it); a longer key's hash.
        var word: UInt64 = 0
        var id: Int32 = -1
        /// The key's length when `word` holds it, else -1.
        var length: Int32 = -1

        /// Whether the slot holds `key`, whose `word` is its bytes (when `inline`) or its hash.
        func holds(_ key: UnsafeBufferPointer<UInt8>, word: UInt64, inline: Bool, names: [String]) -> Bool {
            guard self.word == word else { return false }
            return inline ? Int(length) == key.count : length < 0 && names[Int(id)].utf8.elementsEqual(key)
        }

        /// Up to 8 bytes as one little-endian word, zeros after them.
        static func pack(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
            var word: UInt64 = 0
            withUnsafeMutableBytes(of: &word) { $0.copyMemory(from: UnsafeRawBufferPointer(key)) }
            return UInt64(littleEndian: word)
        }
    }

    public private(set) var names: [String] = []
    private var slots = [Slot](repeating: Slot(), count: 1024)
    /// What `appendIDs` read ahead, folded together (unused otherwise).
    private var touchedWords: UInt64 = 0

    public init() {}

    /// The number of `key`, given it now if it has none.
    public mutating func id(_ key: String) -> Int32 {
        var key = key
        return key.withUTF8 { id($0) }
    }

    public mutating func id(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        id(key, Lookup(key))
    }

    private mutating func id(_ key: UnsafeBufferPointer<UInt8>, _ lookup: Lookup) -> Int32 {
        let probe = probe(key, lookup)
        if let found = probe.found { return found }
        let id = Int32(names.count)
        names.append(String(decoding: key, as: UTF8.self))
        slots[probe.slot] = Slot(word: lookup.word, id: id, length: lookup.inline ? Int32(key.count) : -1)
        if names.count * 2 > slots.count { grow() }
        return id
    }

    /// The numbers of many keys (`lengths[i]` bytes each, one after another in `bytes`), given
    /// them now where they have none, appended to `ids`. The keys' slots are all read first, so
    /// on a table larger than the cache the misses overlap rather than come one after another:
    /// reading a 10-million-row source spent a sixth of its time waiting on them.
    public mutating func appendIDs(of bytes: UnsafeBufferPointer<UInt8>, lengths: [Int], to ids: inout [Int32]) {
        var lookups: [Lookup] = []
        lookups.reserveCapacity(lengths.count)
        var start = 0
        for length in lengths {
            lookups.append(Lookup(UnsafeBufferPointer(rebasing: bytes[start..<start + length])))
            start += length
        }
        // A loop of nothing but the reads, so many are in flight at once.
        var touched: UInt64 = 0
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            for lookup in lookups { touched ^= slots[Int(truncatingIfNeeded: lookup.hash) & mask].word }
        }
        touchedWords ^= touched  // kept, so the reads above are not optimised away
        start = 0
        for (length, lookup) in zip(lengths, lookups) {
            ids.append(id(UnsafeBufferPointer(rebasing: bytes[start..<start + length]), lookup))
            start += length
        }
    }

    /// The number of `key`, if it has one (the table is not changed).
    public func find(_ key: String) -> Int32? {
        var key = key
        return key.withUTF8 { probe($0, Lookup($0)).found }
    }

    /// What a probe for a key compares and where it starts.
    private struct Lookup {
        /// Keys of up to 8 bytes are compared as one word, longer ones by their hash, then byte by byte.
        let inline: Bool
        /// What a slot of this key holds in `Slot.word`.
        let word: UInt64
        let hash: UInt64

        init(_ key: UnsafeBufferPointer<UInt8>) {
            inline = key.count <= 8
            word = inline ? Slot.pack(key) : KeyInterner.hash(key)
            hash = inline ? KeyInterner.hash(word, count: key.count) : word
        }
    }

    /// Where `key` is in the table, or the free slot where it would go.
    private func probe(_ key: UnsafeBufferPointer<UInt8>, _ lookup: Lookup) -> (found: Int32?, slot: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: lookup.hash) & mask
        while slots[slot].id >= 0 {
            if slots[slot].holds(key, word: lookup.word, inline: lookup.inline, names: names) { return (slots[slot].id, slot) }
            slot = (slot + 1) & mask
        }
        return (nil, slot)
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        let mask = slots.count - 1
        for entry in old where entry.id >= 0 {
            let hash = entry.length >= 0 ? Self.hash(entry.word, count: Int(entry.length)) : entry.word
            var slot = Int(truncatingIfNeeded: hash) & mask
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

    /// A short key's word and length mixed into one hash.
    static func hash(_ word: UInt64, count: Int) -> UInt64 {
        spread((word &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(count))
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
