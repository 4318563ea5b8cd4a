import CairnCore
import Foundation
import Testing

@Suite("Exact decimal conversion without strtod")
struct ExactDecimalTests {
    @Test("Each written-out reciprocal of 10^n is the one a 128-bit division gives")
    func reciprocals() throws {
        for n in 0...19 {
            let power = try #require(ExactDecimal.powerOfTen(n))
            let normalized = power << power.leadingZeroBitCount
            // ⌊(2¹²⁸ − 1) / d⌋ − 2⁶⁴ = ⌊((2⁶⁴ − 1 − d)·2⁶⁴ + 2⁶⁴ − 1) / d⌋
            let (expected, _) = normalized.dividingFullWidth((high: ~normalized, low: .max))
            #expect(ExactDecimal.reciprocalOfPowerOfTen(n) == expected, "10^\(n)")
        }
        #expect(ExactDecimal.powerOfTen(20) == nil)
    }

    @Test("17- to 19-digit significands over every power of ten up to 10^19 round as strtod does")
    func matchesStrtod() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50_000 {
            let significand = UInt64.random(in: 1...9_999_999_999_999_999_999, using: &generator)
            let exponent = -Int.random(in: 0...19, using: &generator)
            let expected = strtod("\(significand)e\(exponent)", nil)
            #expect(ExactDecimal.double(significand: significand, exponent: exponent)?.bitPattern == expected.bitPattern, "\(significand)e\(exponent)")
        }
        // A product filling all 128 bits.
        #expect(ExactDecimal.double(significand: 18_000_000_000_000_000_000, exponent: 19) == strtod("18000000000000000000e19", nil))
        // Halfway cases: 2^53 + 1 and neighbours over small powers.
        for significand: UInt64 in [9_007_199_254_740_993, 9_007_199_254_740_995, 18_014_398_509_481_986, 1 << 63, .max] {
            for exponent in -3...3 {
                let expected = strtod("\(significand)e\(exponent)", nil)
                #expect(ExactDecimal.double(significand: significand, exponent: exponent)?.bitPattern == expected.bitPattern, "\(significand)e\(exponent)")
            }
        }
    }
}
