/// Correctly rounded conversion of a decimal `significand × 10^exponent` to a Double, done in
/// 128-bit integer arithmetic when the significand fits 64 bits and |exponent| ≤ 19: that covers
/// the numbers clients send as features and data files hold (Python prints floats with 17 digits,
/// which Clinger's fast path cannot take). Anything outside that range returns nil, for `strtod`.
public enum ExactDecimal {
    /// 10^n for n in 0…19, the powers of ten that fit UInt64 (all exact as Doubles too); nil
    /// otherwise. A switch, not a table: a global table is checked for initialisation on every use.
    @inlinable @inline(__always)
    public static func powerOfTen(_ n: Int) -> UInt64? {
        switch n {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        case 9: 1_000_000_000
        case 10: 10_000_000_000
        case 11: 100_000_000_000
        case 12: 1_000_000_000_000
        case 13: 10_000_000_000_000
        case 14: 100_000_000_000_000
        case 15: 1_000_000_000_000_000
        case 16: 10_000_000_000_000_000
        case 17: 100_000_000_000_000_000
        case 18: 1_000_000_000_000_000_000
        case 19: 10_000_000_000_000_000_000
        default: nil
        }
    }

    @inlinable
    public static func double(significand: UInt64, exponent: Int) -> Double? {
        guard significand != 0 else { return 0 }
        guard let power = powerOfTen(abs(exponent)) else { return nil }
        if exponent >= 0 {
            let (high, low) = significand.multipliedFullWidth(by: power)
            guard high != 0 else { return Double(low) }
            // The top 64 bits of the product; the bits shifted out only say whether it was exact.
            let shift = 64 - high.leadingZeroBitCount
            let top = (high << (64 - shift)) | (low >> shift)
            let sticky: UInt64 = low << (64 - shift) != 0 ? 1 : 0  // shift is 1…64
            return scaled(top | sticky, by: shift)
        }
        // significand / 10^n as a 62-to-64-bit quotient scaled by a power of two: the significand
        // shifted to fill 127 bits, over 10^n shifted to fill 64, divided by multiplying with the
        // divisor's reciprocal. A non-zero remainder sets the lowest bit, far below a Double's 53,
        // so that rounding sees it as "a little more".
        let n = -exponent
        let divisorShift = power.leadingZeroBitCount, significandShift = significand.leadingZeroBitCount
        let filled = significand << significandShift
        let (quotient, remainder) = divide((filled >> 1, filled << 63), by: power << divisorShift, reciprocal: reciprocalOfPowerOfTen(n))
        return scaled(quotient | (remainder != 0 ? 1 : 0), by: divisorShift - 63 - significandShift)
    }

    /// The 128-bit `dividend` over a `divisor` whose top bit is set, where the quotient fits 64
    /// bits (`dividend.high < divisor`), with two multiplications instead of a hardware division
    /// (Möller and Granlund, "Improved division by invariant integers", 2011, algorithm 4).
    @inlinable @inline(__always)
    static func divide(_ dividend: (high: UInt64, low: UInt64), by divisor: UInt64, reciprocal: UInt64) -> (quotient: UInt64, remainder: UInt64) {
        var (quotient, fraction) = reciprocal.multipliedFullWidth(by: dividend.high)
        let (low, carry) = fraction.addingReportingOverflow(dividend.low)
        fraction = low
        quotient = quotient &+ dividend.high &+ 1 &+ (carry ? 1 : 0)
        var remainder = dividend.low &- quotient &* divisor
        if remainder > fraction {
            quotient &-= 1
            remainder &+= divisor
        }
        if remainder >= divisor {
            quotient &+= 1
            remainder &-= divisor
        }
        return (quotient, remainder)
    }

    /// ⌊(2¹²⁸ − 1) / d⌋ − 2⁶⁴ for d = 10^n shifted left until its top bit is set (n in 0…19): the
    /// reciprocal `divide` needs. Written out, since a global table would be checked for
    /// initialisation on every number; `ExactDecimalTests` derives each one by a division.
    @inlinable @inline(__always)
    public static func reciprocalOfPowerOfTen(_ n: Int) -> UInt64 {
        switch n {
        case 0: 0xFFFF_FFFF_FFFF_FFFF
        case 1: 0x9999_9999_9999_9999
        case 2: 0x47AE_147A_E147_AE14
        case 3: 0x0624_DD2F_1A9F_BE76
        case 4: 0xA36E_2EB1_C432_CA57
        case 5: 0x4F8B_588E_368F_0846
        case 6: 0x0C6F_7A0B_5ED8_D36B
        case 7: 0xAD7F_29AB_CAF4_8578
        case 8: 0x5798_EE23_08C3_9DF9
        case 9: 0x12E0_BE82_6D69_4B2E
        case 10: 0xB7CD_FD9D_7BDB_AB7D
        case 11: 0x5FD7_FE17_9649_55FD
        case 12: 0x1979_9812_DEA1_1197
        case 13: 0xC25C_2684_9768_1C26
        case 14: 0x6849_B86A_12B9_B01E
        case 15: 0x203A_F9EE_7561_59B2
        case 16: 0xCD2B_297D_889B_C2B6
        case 17: 0x70EF_5464_6D49_6892
        case 18: 0x2725_DD1D_243A_BA0E
        default: 0xD83C_94FB_6D2A_C34A  // 19
        }
    }

    /// `value × 2^power`, rounded once (when `value` becomes a Double); the scaling is exact.
    /// (Callers keep `power` within ±128, so 2^power is a normal Double, built from its bits.)
    @inlinable @inline(__always)
    static func scaled(_ value: UInt64, by power: Int) -> Double {
        Double(value) * Double(bitPattern: UInt64(1023 + power) << 52)
    }
}
