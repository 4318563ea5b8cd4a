@testable import CairnDeploy
import NIOCore
import Testing

@Suite("Shadow comparison")
struct ShadowComparisonTests {
    func agree(_ primary: String, _ shadow: String, statuses: (Int, Int) = (200, 200)) -> Bool {
        ShadowComparison.agree(primaryStatus: statuses.0, primary: ByteBuffer(string: primary), shadowStatus: statuses.1, shadow: ByteBuffer(string: shadow))
    }

    @Test("Answers that differ only in the model version, or in float noise, agree")
    func sameAnswers() {
        #expect(agree(#"{"model_name":"m","model_version":"1","outputs":[{"name":"p","data":[0.25,1]}]}"#,
                      #"{"model_name":"m","model_version":"2","outputs":[{"name":"p","data":[0.2500000001,1.0]}]}"#))
        #expect(agree(#"{"predictions":[1,0]}"#, #"{"predictions":[1,0]}"#))
    }

    @Test("Other predictions, other shapes and other statuses disagree")
    func differentAnswers() {
        #expect(!agree(#"{"predictions":[1,0]}"#, #"{"predictions":[0,1]}"#))
        #expect(!agree(#"{"predictions":[1,0]}"#, #"{"predictions":[1,0,0]}"#))
        #expect(!agree(#"{"outputs":[{"name":"p","data":[0.25]}]}"#, #"{"outputs":[{"name":"q","data":[0.25]}]}"#))
        #expect(!agree(#"{"predictions":[1]}"#, #"{"error":"boom"}"#, statuses: (200, 500)))
        // Both failing alike is agreement: the candidate is no worse.
        #expect(agree(#"{"error":"bad input"}"#, #"{"error":"other words"}"#, statuses: (400, 400)))
    }
}
