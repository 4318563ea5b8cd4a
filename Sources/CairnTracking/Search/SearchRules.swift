import CairnCore

/// What one search endpoint accepts: which entities a filter may name, which keys of each
/// (and whether their values are strings or numbers), which comparators each key takes, and
/// which keys `order_by` may name.
public struct SearchRules: Sendable {
    public enum ValueType: Sendable, Equatable {
        case string, number
    }

    /// The value type and comparators of one key.
    public struct KeyRule: Sendable, Equatable {
        public var valueType: ValueType
        /// In the order error messages list them.
        public var comparators: [FilterComparator]

        public init(_ valueType: ValueType, _ comparators: [FilterComparator]) {
            self.valueType = valueType
            self.comparators = comparators
        }
    }

    /// The keys a filter may use on one entity.
    public enum Keys: Sendable, Equatable {
        /// Any key, all under one rule (metric, param and tag names are the user's).
        case any(KeyRule)
        /// A fixed set of canonical keys (attributes, dataset fields).
        case named([String: KeyRule])
    }

    /// The keys `order_by` may use on one entity.
    public enum OrderKeys: Sendable, Equatable {
        case any
        case named(Set<String>)
    }

    /// Entities a filter may name, with their keys.
    public var filterable: [FilterEntity: Keys]
    /// Other spellings of attribute keys, mapped to the canonical key (`created` → `start_time`).
    public var attributeAliases: [String: String]
    /// Entities `order_by` may name, with their keys.
    public var orderable: [FilterEntity: OrderKeys]

    public init(filterable: [FilterEntity: Keys], attributeAliases: [String: String] = [:], orderable: [FilterEntity: OrderKeys]) {
        self.filterable = filterable
        self.attributeAliases = attributeAliases
        self.orderable = orderable
    }
}

// MARK: - The two search kinds

extension SearchRules {
    private static let numericComparators: [FilterComparator] = [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual]
    private static let stringComparators: [FilterComparator] = [.equal, .notEqual, .like, .ilike]
    private static let listComparators: [FilterComparator] = [.in, .notIn]
    private static let existenceComparators: [FilterComparator] = [.isNull, .isNotNull]

    private static let number = KeyRule(.number, numericComparators)
    private static let string = KeyRule(.string, stringComparators)
    private static let stringOrList = KeyRule(.string, stringComparators + listComparators)
    /// Params and tags: strings, and whether the key exists at all.
    private static let stringOrExistence = KeyRule(.string, stringComparators + existenceComparators)

    /// `runs/search`.
    public static let runs = SearchRules(
        filterable: [
            .metric: .any(number),
            .param: .any(stringOrExistence),
            .tag: .any(stringOrExistence),
            .attribute: .named([
                "run_id": stringOrList,
                "run_name": string,
                "user_id": string,
                "status": string,
                "artifact_uri": string,
                "lifecycle_stage": string,
                "start_time": number,
                "end_time": number,
            ]),
            .dataset: .named([
                "name": stringOrList,
                "digest": stringOrList,
                "context": stringOrList,
            ]),
        ],
        attributeAliases: [
            "created": "start_time", "Created": "start_time",
            "run name": "run_name", "Run name": "run_name", "Run Name": "run_name",
        ],
        orderable: [
            .metric: .any,
            .param: .any,
            .tag: .any,
            .attribute: .named(["run_id", "run_name", "user_id", "status", "start_time", "end_time", "artifact_uri"]),
        ]
    )

    /// `experiments/search`.
    public static let experiments = SearchRules(
        filterable: [
            .attribute: .named([
                "name": string,
                "experiment_id": KeyRule(.string, [.equal, .notEqual] + listComparators),
                "creation_time": number,
                "last_update_time": number,
            ]),
            .tag: .any(stringOrExistence),
        ],
        orderable: [
            .attribute: .named(["name", "experiment_id", "creation_time", "last_update_time"]),
        ]
    )
}

// MARK: - Resolving identifiers

extension FilterEntity {
    /// Canonical order for messages.
    static let messageOrder: [FilterEntity] = [.metric, .param, .tag, .attribute, .dataset]

    /// Reads an identifier prefix. Like MLflow, prefixes are case-sensitive.
    init?(prefix: String) {
        switch prefix {
        case "metric", "metrics": self = .metric
        case "param", "params", "parameter", "parameters": self = .param
        case "tag", "tags": self = .tag
        case "attribute", "attributes", "attr", "run": self = .attribute
        case "dataset", "datasets": self = .dataset
        default: return nil
        }
    }

    /// The name MLflow uses for the entity in its messages.
    var mlflowName: String {
        self == .param ? "parameter" : rawValue
    }
}

extension SearchRules {
    enum Purpose {
        case filter, orderBy
    }

    /// Turns an identifier as written into an entity and a canonical key, or throws MLflow's error.
    func resolve(_ parts: [IdentifierPart], text: String, for purpose: Purpose) throws -> (entity: FilterEntity, key: String) {
        let entity: FilterEntity
        var key: String
        if parts.count == 1 {
            entity = .attribute
            key = parts[0].text
        } else {
            let prefix = parts[0].text
            key = parts.dropFirst().map(\.text).joined(separator: ".")
            guard let named = FilterEntity(prefix: prefix), allows(named, for: purpose) else {
                let allowed = FilterEntity.messageOrder.filter { allows($0, for: purpose) }
                let valid = Self.pythonList(allowed.map(\.mlflowName))
                if purpose == .orderBy, FilterEntity(prefix: prefix) != nil {
                    throw CairnError.invalidParameter("Invalid order_by entity type '\(prefix)'. Valid values are \(valid)")
                }
                throw CairnError.invalidParameter("Invalid entity type '\(prefix)'. Valid values are \(valid)")
            }
            entity = named
        }
        guard !key.isEmpty else {
            throw CairnError.invalidParameter(
                "Invalid identifier '\(text)'. Columns should be specified as 'attribute.<key>', "
                    + "'metric.<key>', 'tag.<key>', 'dataset.<key>', or 'param.<key>'."
            )
        }
        let written = key
        if entity == .attribute {
            key = attributeAliases[key] ?? key
        }
        guard let validKeys = namedKeys(of: entity, for: purpose) else { return (entity, key) }
        guard validKeys.contains(key) else {
            var listed = validKeys
            if entity == .attribute {
                listed.formUnion(attributeAliases.filter { validKeys.contains($0.value) }.keys)
            }
            throw CairnError.invalidParameter(
                "Invalid \(entity.mlflowName) key '\(written)' specified. Valid keys are '\(Self.pythonSet(listed.sorted()))'"
            )
        }
        return (entity, key)
    }

    /// The rule for a key that `resolve(_:text:for: .filter)` accepted.
    func rule(for entity: FilterEntity, key: String) -> KeyRule? {
        switch filterable[entity] {
        case .any(let rule): rule
        case .named(let rules): rules[key]
        case nil: nil
        }
    }

    private func allows(_ entity: FilterEntity, for purpose: Purpose) -> Bool {
        switch purpose {
        case .filter: filterable[entity] != nil
        case .orderBy: orderable[entity] != nil
        }
    }

    /// The fixed keys of an entity, or nil when any key goes.
    private func namedKeys(of entity: FilterEntity, for purpose: Purpose) -> Set<String>? {
        switch purpose {
        case .filter:
            if case .named(let rules) = filterable[entity] { return Set(rules.keys) }
        case .orderBy:
            if case .named(let keys) = orderable[entity] { return keys }
        }
        return nil
    }
}

// MARK: - Checking comparators and values

extension SearchRules {
    /// Gives a comparison as written its meaning under these rules, or throws MLflow's error.
    func check(_ raw: RawComparison) throws -> FilterComparison {
        let (entity, key) = try resolve(raw.identifier, text: raw.identifierText, for: .filter)
        guard let rule = rule(for: entity, key: key) else {
            throw CairnError.invalidParameter("Invalid \(entity.mlflowName) key '\(key)' specified.")
        }
        let comparator = try checkComparator(raw.comparator, rule: rule, entity: entity, key: key)
        let value = try checkValue(raw.value, comparator: comparator, rule: rule, entity: entity, key: key)
        return FilterComparison(entity: entity, key: key, comparator: comparator, value: value)
    }

    private func checkComparator(_ raw: RawComparator, rule: KeyRule, entity: FilterEntity, key: String) throws -> FilterComparator {
        let written: String
        switch raw {
        case .known(let comparator):
            if rule.comparators.contains(comparator) { return comparator }
            written = comparator.rawValue
            if comparator == .isNull || comparator == .isNotNull {
                let supporting = [FilterEntity.tag, .param, .metric, .attribute, .dataset].filter { supports($0, anyOf: [comparator]) }
                if !supporting.isEmpty {
                    let names = supporting.map { $0 == .param ? "params" : "\($0.rawValue)s" }.joined(separator: " and ")
                    throw CairnError.invalidParameter(
                        "IS NULL / IS NOT NULL is only supported for \(names), not for '\(entity.mlflowName)' '\(key)'"
                    )
                }
            }
            if comparator == .in || comparator == .notIn, case .named(let rules)? = filterable[entity] {
                let listKeys = rules.filter { $0.value.comparators.contains(comparator) }.keys.sorted()
                if !listKeys.isEmpty {
                    let quoted = listKeys.map { "'\($0)'" }.joined(separator: ", ")
                    let subject = listKeys.count == 1
                        ? "the \(quoted) \(entity.mlflowName) supports"
                        : "the \(entity.mlflowName)s \(quoted) support"
                    throw CairnError.invalidParameter("Only \(subject) comparison with a list of quoted string values.")
                }
            }
        case .unknown(let text):
            written = text
        }
        throw CairnError.invalidParameter(
            "Invalid comparator '\(written)' not one of '\(Self.pythonSet(rule.comparators.map(\.rawValue)))'"
        )
    }

    private func supports(_ entity: FilterEntity, anyOf comparators: [FilterComparator]) -> Bool {
        switch filterable[entity] {
        case .any(let rule): rule.comparators.contains { comparators.contains($0) }
        case .named(let rules): rules.values.contains { $0.comparators.contains { comparators.contains($0) } }
        case nil: false
        }
    }

    private func checkValue(_ raw: RawOperand, comparator: FilterComparator, rule: KeyRule, entity: FilterEntity, key: String) throws -> FilterValue {
        switch (comparator, raw) {
        case (.isNull, _), (.isNotNull, _):
            return .none
        case (.in, .list(let items, _)), (.notIn, .list(let items, _)):
            return .list(items)
        case (_, .list(_, let text)):
            throw wrongType(text, rule: rule, entity: entity, key: key)
        case (_, .token(let token)):
            switch (rule.valueType, token.kind) {
            case (.number, .number(let number)):
                return .number(number)
            case (.string, .singleQuoted(let text)), (.string, .doubleQuoted(let text)):
                return .string(text)
            case (.string, .identifier):
                throw CairnError.invalidParameter(
                    "Parameter value is either not quoted or unidentified quote types used for string value \(token.text). "
                        + "Use either single or double quotes."
                )
            default:
                throw wrongType(token.text, rule: rule, entity: entity, key: key)
            }
        case (_, .none):
            throw CairnError.invalidParameter("Invalid clause(s) in filter string: expected a value for '\(key)'")
        }
    }

    /// MLflow's message for a value of the wrong type, `found` as written.
    private func wrongType(_ found: String, rule: KeyRule, entity: FilterEntity, key: String) -> CairnError {
        switch (rule.valueType, entity) {
        case (.number, .metric):
            .invalidParameter("Expected numeric value type for metric. Found \(found)")
        case (.number, .attribute):
            .invalidParameter("Expected numeric value type for numeric attribute: \(key). Found \(found)")
        case (.number, _):
            .invalidParameter("Expected numeric value type for \(entity.mlflowName) '\(key)'. Found \(found)")
        case (.string, .attribute):
            .invalidParameter("Expected a quoted string value for attributes. Got value \(found)")
        case (.string, .dataset):
            .invalidParameter("Expected a quoted string value for dataset attributes. Got value \(found)")
        case (.string, _):
            .invalidParameter("Expected a quoted string value for \(entity.mlflowName) (e.g. 'my-value'). Got value \(found)")
        }
    }
}

extension SearchRules {
    /// `['a', 'b']`, as Python prints a list of strings.
    fileprivate static func pythonList(_ items: [String]) -> String {
        "[" + items.map { "'\($0)'" }.joined(separator: ", ") + "]"
    }

    /// `{'a', 'b'}`, as Python prints a set of strings (in the order given).
    fileprivate static func pythonSet(_ items: [String]) -> String {
        "{" + items.map { "'\($0)'" }.joined(separator: ", ") + "}"
    }
}
