extension Array where Element == Double {
    /// The values in ascending order, by radix sort on their bit patterns: one pass spreads them
    /// into buckets by their top 16 bits (sign, exponent and 4 bits of mantissa), then each
    /// bucket (in cache, unless most values share their top 16 bits) is sorted by its remaining
    /// six bytes. Linear in the
    /// count and several times faster than `sorted()` on large arrays. -0.0 comes before 0.0;
    /// NaNs, which have no order, end up after +∞ (positive ones) or before −∞ (negative ones).
    public func radixSorted() -> [Double] {
        // Below this, setting up 65,536 buckets costs more than comparing.
        guard count > 20_000 else { return sorted() }
        let total = count
        var spare = [UInt64](unsafeUninitializedCapacity: total) { _, initialized in initialized = total }
        // The answer's own storage holds the keys while sorting (with the spare buffer), and the
        // numbers again at the end: no third buffer.
        return [Double](unsafeUninitializedCapacity: total) { result, initialized in
            result.withMemoryRebound(to: UInt64.self) { keys in
                spare.withUnsafeMutableBufferPointer { spare in RadixSort.sort(self, keys: keys, spare: spare) }
            }
            initialized = total
        }
    }
}

/// The steps of `radixSorted`, on raw buffers.
enum RadixSort {
    static func sort(_ values: [Double], keys: UnsafeMutableBufferPointer<UInt64>, spare: UnsafeMutableBufferPointer<UInt64>) {
        // Keys whose unsigned order is the numbers' order (every bit of a negative number
        // flipped, only the sign bit of a positive one), counted by their top 16 bits.
        var starts = [Int](repeating: 0, count: 65_537)
        starts.withUnsafeMutableBufferPointer { starts in
            for (index, value) in values.enumerated() {
                let bits = value.bitPattern
                let key = bits >> 63 == 1 ? ~bits : bits | (1 << 63)
                keys[index] = key
                starts[Int(key >> 48) + 1] &+= 1
            }
            for bucket in 1...65_536 { starts[bucket] &+= starts[bucket - 1] }
            var next = Array(starts.prefix(65_536))
            next.withUnsafeMutableBufferPointer { next in
                for key in keys {
                    let bucket = Int(key >> 48)
                    spare[next[bucket]] = key
                    next[bucket] &+= 1
                }
            }
            var counts = [Int](repeating: 0, count: 256 * 6)
            counts.withUnsafeMutableBufferPointer { counts in
                for bucket in 0..<65_536 where starts[bucket + 1] - starts[bucket] > 0 {
                    let range = starts[bucket]..<starts[bucket + 1]
                    sortLowBytes(from: UnsafeMutableBufferPointer(rebasing: spare[range]), into: UnsafeMutableBufferPointer(rebasing: keys[range]), counts: counts)
                }
            }
        }
        for index in keys.indices {
            let key = keys[index]
            keys[index] = key >> 63 == 1 ? key & ~(1 << 63) : ~key
        }
    }

    /// Sorts keys that share their top 16 bits by their six low bytes, least significant first,
    /// leaving the result in `target` (`source` is scratch).
    static func sortLowBytes(from source: UnsafeMutableBufferPointer<UInt64>, into target: UnsafeMutableBufferPointer<UInt64>, counts: UnsafeMutableBufferPointer<Int>) {
        let total = source.count
        guard total > 48 else {
            _ = target.update(fromContentsOf: source)
            insertionSort(target)
            return
        }
        counts.update(repeating: 0)
        for key in source {
            for digit in 0..<6 { counts[digit &* 256 &+ Int(truncatingIfNeeded: key &>> UInt64(digit &* 8)) & 0xFF] &+= 1 }
        }
        var from = source, to = target
        for digit in 0..<6 {
            let shift = UInt64(digit * 8)
            let slots = counts.baseAddress! + digit * 256
            // A byte every key shares moves nothing.
            if slots[Int(truncatingIfNeeded: from[0] &>> shift) & 0xFF] == total { continue }
            var offset = 0
            for bucket in 0..<256 {
                let size = slots[bucket]
                slots[bucket] = offset
                offset &+= size
            }
            let out = to.baseAddress!
            for key in from {
                let bucket = Int(truncatingIfNeeded: key &>> shift) & 0xFF
                out[slots[bucket]] = key
                slots[bucket] &+= 1
            }
            swap(&from, &to)
        }
        if from.baseAddress != target.baseAddress { _ = target.update(fromContentsOf: from) }
    }

    static func insertionSort(_ keys: UnsafeMutableBufferPointer<UInt64>) {
        guard keys.count > 1 else { return }
        for index in 1..<keys.count {
            let key = keys[index]
            var position = index
            while position > 0, keys[position - 1] > key {
                keys[position] = keys[position - 1]
                position -= 1
            }
            keys[position] = key
        }
    }
}
