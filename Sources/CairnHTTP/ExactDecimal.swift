/// Correctly rounded conversion of a decimal `significand × 10^exponent` to a Double, done in
/// 128-bit integer arithmetic when the significand fits 64 bits and |exponent| ≤ 19: that covers
/// the numbers clients send as features (Python prints floats with 17 digits, which the simple
/// fast path cannot take). Anything outside that range returns nil, for `strtod`.
enum ExactDecimal {
    /// 10^0 … 10^19, the powers of ten that fit UInt64.
    private static let powersOfTen: [UInt64] = (0...19).map { exponent in (0..<exponent).reduce(UInt64(1)) { value, _ in value * 10 } }

    static func double(significand: UInt64, exponent: Int) -> Double? {
        guard significand != 0 else { return 0 }
        guard (-19...19).contains(exponent) else { return nil }
        if exponent >= 0 {
            let (high, low) = significand.multipliedFullWidth(by: powersOfTen[exponent])
            guard high != 0 else { return Double(low) }
            // The top 64 bits of the product; the bits shifted out only say whether it was exact.
            let shift = 64 - high.leadingZeroBitCount
            let top = (high << (64 - shift)) | (low >> shift)
            let sticky: UInt64 = low & ((1 << shift) - 1) != 0 ? 1 : 0
            return scaled(top | sticky, by: shift)
        }
        // significand / 10^n as a 62-to-64-bit quotient scaled by 2^-shift: the dividend is chosen
        // so that the quotient fits 64 bits, and a non-zero remainder sets the lowest bit, far
        // below a Double's 53 so that rounding sees it as "a little more".
        let divisor = powersOfTen[-exponent]
        let shift = 63 + (64 - divisor.leadingZeroBitCount) - (64 - significand.leadingZeroBitCount)
        let dividend: (high: UInt64, low: UInt64) = shift >= 64
            ? (significand << (shift - 64), 0)
            : (shift == 0 ? 0 : significand >> (64 - shift), significand << shift)
        let (quotient, remainder) = divisor.dividingFullWidth(dividend)
        return scaled(quotient | (remainder != 0 ? 1 : 0), by: -shift)
    }

    /// `value × 2^power`, rounded once (when `value` becomes a Double); the scaling is exact.
    private static func scaled(_ value: UInt64, by power: Int) -> Double {
        let rounded = Double(value)
        return Double(sign: .plus, exponent: power, significand: rounded)
    }
}
