@testable import CairnPipelines
import Testing

@Suite("Pipeline conditions")
struct ExpressionTests {
    func evaluate(_ source: String, _ values: [String: ExpressionValue]) throws -> Bool {
        try ExpressionEvaluator { values[$0.joined(separator: ".")] }.isTrue(try ExpressionParser.parse(source))
    }

    @Test("Comparisons, and/or/not, in, and precedence")
    func evaluation() throws {
        let values: [String: ExpressionValue] = ["steps.evaluate.metrics.auc": .number(0.91), "params.mode": .string("full"),
                                                 "params.variants": .list([.number(1), .number(2)])]
        #expect(try evaluate(#"steps.evaluate.metrics.auc > 0.85 and params.mode == "full""#, values))
        #expect(try !evaluate("steps.evaluate.metrics.auc > 0.95 or params.mode != 'full'", values))
        #expect(try evaluate("not (params.mode == 'quick') and 2 in params.variants", values))
        #expect(try evaluate("params.mode not in ['quick', 'smoke']", values))
        #expect(try evaluate("true or false and false", values))  // and binds tighter than or
        #expect(try evaluate("-1 < 0", values))
    }

    @Test("Type mismatches and unknown values are errors, not false")
    func errors() {
        #expect(throws: ExpressionError.self) { try evaluate("params.mode > 3", ["params.mode": .string("full")]) }
        #expect(throws: ExpressionError.self) { try evaluate("steps.x.metrics.auc > 0.5", [:]) }
        #expect(throws: ExpressionError.self) { try evaluate("1 and true", [:]) }
    }

    @Test("Syntax errors say where")
    func syntax() {
        for (source, fragment) in [("a >", "expected a value"), ("(a == 1", "expected ')'"), ("a == 'x", "unterminated string"),
                                   ("a = 1", "unexpected character '='"), ("a == 1 b", "unexpected 'b'"), ("", "empty condition")] {
            #expect(throws: ExpressionError.self, "\(source)") { try ExpressionParser.parse(source) }
            do { _ = try ExpressionParser.parse(source) } catch { #expect(error.description.contains(fragment), "\(source): \(error)") }
        }
        #expect(throws: ExpressionError.self) { try ExpressionParser.parse(String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100)) }
    }
}
