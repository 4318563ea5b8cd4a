import CairnDeploy
import Testing

@Suite("A/B two-proportion z-test")
struct TwoProportionZTestTests {
    @Test("Matches the reference computation (numpy/scipy, shared research golden values) to 1e-8")
    func golden() throws {
        // 30 of 100 against 45 of 100: z = -2.19089023, p = 2.8459736916e-02.
        let test = try TwoProportionZTest(successesA: 30, trialsA: 100, successesB: 45, trialsB: 100)
        #expect(abs(test.z - -2.19089023) < 1e-8)
        #expect(abs(test.pValue - 2.8459736916e-02) < 1e-10)
        #expect(abs(test.difference - 0.15) < 1e-12)
        #expect(test.isSignificant())
        #expect(test.confidenceInterval.contains(0.15) && !test.confidenceInterval.contains(0))
    }

    @Test("Equal arms are not significant; impossible counts are refused")
    func edges() throws {
        #expect(try TwoProportionZTest(successesA: 0, trialsA: 10, successesB: 0, trialsB: 20).pValue == 1)
        #expect(try !TwoProportionZTest(successesA: 500, trialsA: 1000, successesB: 505, trialsB: 1000).isSignificant())
        #expect(throws: TwoProportionZTest.Invalid.self) { try TwoProportionZTest(successesA: 5, trialsA: 0, successesB: 1, trialsB: 1) }
        #expect(throws: TwoProportionZTest.Invalid.self) { try TwoProportionZTest(successesA: 11, trialsA: 10, successesB: 1, trialsB: 1) }
    }
}
