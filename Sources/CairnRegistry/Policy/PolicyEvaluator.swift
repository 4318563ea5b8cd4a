import CairnCore
import CairnTracking
import Foundation

/// Checks a version against a promotion policy and names every rule it does not meet.
enum PolicyEvaluator {
    /// Parses one rule (`metrics.auc >= 0.85`); a rule is exactly one comparison.
    static func parse(_ rule: String) throws -> FilterComparison {
        let filter = try FilterParser.parse(rule, rules: .promotionRules)
        guard filter.comparisons.count == 1 else {
            throw CairnError.invalidParameter("Invalid promotion rule '\(rule)': a rule is one comparison, such as metrics.auc >= 0.85 or tags.validated = 'true'.")
        }
        return filter.comparisons[0]
    }

    /// The unmet rules, each with why; empty when the version may be promoted.
    /// - Parameters:
    ///   - metrics: the source run's latest metric values, or nil when the version has no run.
    ///   - approvers: distinct users who approved a pending request for this promotion.
    static func unmetRules(of policy: PromotionPolicy, version: ModelVersion, metrics: [String: Double]?, approvers: Set<String>) throws -> [String] {
        var unmet: [String] = []
        let tags = Dictionary(version.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        for rule in policy.rules {
            let comparison = try parse(rule)
            switch comparison.entity {
            case .metric:
                guard let metrics else {
                    unmet.append("\(rule) (the version has no source run)")
                    continue
                }
                guard let actual = metrics[comparison.key] else {
                    unmet.append("\(rule) (the source run has no metric '\(comparison.key)')")
                    continue
                }
                if !holds(actual, comparison) { unmet.append("\(rule) (the source run has \(comparison.key) = \(actual))") }
            default:
                if !holds(tags[comparison.key], comparison) {
                    let actual = tags[comparison.key].map { "'\($0)'" } ?? "not set"
                    unmet.append("\(rule) (tag \(comparison.key) is \(actual))")
                }
            }
        }
        if approvers.count < policy.requiredApprovals {
            let given = approvers.isEmpty ? "none" : "\(approvers.count) (\(approvers.sorted().joined(separator: ", ")))"
            unmet.append("approvals from \(policy.requiredApprovals) distinct users (given: \(given))")
        }
        return unmet
    }

    private static func holds(_ actual: Double, _ comparison: FilterComparison) -> Bool {
        guard case .number(let expected) = comparison.value else { return false }
        switch comparison.comparator {
        case .equal: return actual == expected
        case .notEqual: return actual != expected
        case .less: return actual < expected
        case .lessOrEqual: return actual <= expected
        case .greater: return actual > expected
        case .greaterOrEqual: return actual >= expected
        default: return false
        }
    }

    private static func holds(_ actual: String?, _ comparison: FilterComparison) -> Bool {
        switch comparison.comparator {
        case .isNull: return actual == nil
        case .isNotNull: return actual != nil
        default: break
        }
        guard let actual, case .string(let expected) = comparison.value else { return false }
        switch comparison.comparator {
        case .equal: return actual == expected
        case .notEqual: return actual != expected
        case .like: return LikePattern(expected, caseSensitive: true).matches(actual)
        case .ilike: return LikePattern(expected, caseSensitive: false).matches(actual)
        default: return false
        }
    }
}

/// SQL `LIKE` matching in memory: `%` is any run of characters, `_` exactly one.
struct LikePattern {
    private let pattern: [Character]
    private let caseSensitive: Bool

    init(_ pattern: String, caseSensitive: Bool) {
        self.pattern = Array(caseSensitive ? pattern : pattern.lowercased())
        self.caseSensitive = caseSensitive
    }

    func matches(_ text: String) -> Bool {
        let characters = Array(caseSensitive ? text : text.lowercased())
        // matched[j]: the pattern prefix seen so far matches characters[0..<j].
        var matched = [Bool](repeating: false, count: characters.count + 1)
        matched[0] = true
        for symbol in pattern {
            var next = [Bool](repeating: false, count: characters.count + 1)
            for j in 0...characters.count {
                switch symbol {
                case "%": next[j] = matched[j] || (j > 0 && next[j - 1])
                case "_": next[j] = j > 0 && matched[j - 1]
                default: next[j] = j > 0 && matched[j - 1] && characters[j - 1] == symbol
                }
            }
            matched = next
        }
        return matched[characters.count]
    }
}
