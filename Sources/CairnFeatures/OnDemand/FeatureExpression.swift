import CairnCore
import Foundation

/// The small language of on-demand features: numbers, strings, references to features and
/// request fields (`amount`, `user_stats.avg_amount`), `+ - * / %`, comparisons, `and or not`,
/// and the functions `abs sqrt log exp min max round floor ceil if(condition, then, else)`.
/// It can only compute a value from its inputs: no loops, no calls out, so it runs the same in a
/// training join and on the serving path. Any missing input makes the result missing.
public indirect enum FeatureExpression: Sendable, Equatable {
    case number(Double)
    case text(String)
    case reference(String)
    case negate(FeatureExpression)
    case not(FeatureExpression)
    case binary(String, FeatureExpression, FeatureExpression)
    case call(String, [FeatureExpression])

    static let functions: [String: ClosedRange<Int>] = ["abs": 1...1, "sqrt": 1...1, "log": 1...1, "exp": 1...1, "round": 1...1, "floor": 1...1,
                                                        "ceil": 1...1, "min": 2...16, "max": 2...16, "if": 3...3]

    /// Every name the expression reads.
    public var references: [String] {
        switch self {
        case .number, .text: []
        case .reference(let name): [name]
        case .negate(let inner), .not(let inner): inner.references
        case .binary(_, let lhs, let rhs): lhs.references + rhs.references
        case .call(_, let arguments): arguments.flatMap(\.references)
        }
    }

    /// The value given the inputs by name; nil when an input is missing or the arithmetic has no
    /// answer (a division by zero, the log of a negative number).
    public func evaluate(_ inputs: [String: FeatureValue]) -> FeatureValue? {
        switch self {
        case .number(let value): return .double(value)
        case .text(let value): return .string(value)
        case .reference(let name): return inputs[name]
        case .negate(let inner): return inner.evaluate(inputs)?.number.map { .double(-$0) }
        case .not(let inner): return inner.evaluate(inputs)?.truth.map { .bool(!$0) }
        case .binary(let op, let lhs, let rhs):
            guard let a = lhs.evaluate(inputs), let b = rhs.evaluate(inputs) else { return nil }
            switch op {
            case "and", "or":
                guard let x = a.truth, let y = b.truth else { return nil }
                return .bool(op == "and" ? x && y : x || y)
            case "==", "!=":
                let equal = a.number.flatMap { x in b.number.map { x == $0 } } ?? (a.description == b.description)
                return .bool(op == "==" ? equal : !equal)
            default: break
            }
            if op == "+", case .string(let x) = a, case .string(let y) = b { return .string(x + y) }
            guard let x = a.number, let y = b.number else { return nil }
            switch op {
            case "+": return .double(x + y)
            case "-": return .double(x - y)
            case "*": return .double(x * y)
            case "/": return y == 0 ? nil : .double(x / y)
            case "%": return y == 0 ? nil : .double(x.truncatingRemainder(dividingBy: y))
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            default: return .bool(x >= y)
            }
        case .call(let name, let arguments):
            if name == "if" {
                guard let condition = arguments[0].evaluate(inputs)?.truth else { return nil }
                return arguments[condition ? 1 : 2].evaluate(inputs)
            }
            var numbers: [Double] = []
            for argument in arguments {
                guard let number = argument.evaluate(inputs)?.number else { return nil }
                numbers.append(number)
            }
            let x = numbers[0]
            let result: Double
            switch name {
            case "abs": result = abs(x)
            case "sqrt": result = x < 0 ? .nan : x.squareRoot()
            case "log": result = x <= 0 ? .nan : Foundation.log(x)
            case "exp": result = Foundation.exp(x)
            case "round": result = x.rounded()
            case "floor": result = x.rounded(.down)
            case "ceil": result = x.rounded(.up)
            case "min": result = numbers.min()!
            default: result = numbers.max()!
            }
            return result.isFinite ? .double(result) : nil
        }
    }
}

extension FeatureValue {
    var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        case .bool(let value): value ? 1 : 0
        case .string: nil
        }
    }

    var truth: Bool? {
        switch self {
        case .bool(let value): value
        case .int(let value): value != 0
        case .double(let value): value != 0
        case .string: nil
        }
    }
}
