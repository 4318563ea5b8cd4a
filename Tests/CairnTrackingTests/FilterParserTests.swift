import CairnCore
import Testing

@testable import CairnTracking

// MARK: - Helpers

private func runs(_ filter: String) throws -> [FilterComparison] {
    try FilterParser.parse(filter, rules: .runs).comparisons
}

private func experiments(_ filter: String) throws -> [FilterComparison] {
    try FilterParser.parse(filter, rules: .experiments).comparisons
}

private func one(_ filter: String, rules: SearchRules = .runs) throws -> FilterComparison {
    let comparisons = try FilterParser.parse(filter, rules: rules).comparisons
    try #require(comparisons.count == 1, "expected one comparison in \(filter), got \(comparisons)")
    return comparisons[0]
}

private func cmp(_ entity: FilterEntity, _ key: String, _ comparator: FilterComparator, _ value: FilterValue) -> FilterComparison {
    FilterComparison(entity: entity, key: key, comparator: comparator, value: value)
}

/// Asserts that `body` throws an invalid-parameter `CairnError` whose message contains every `fragment`.
private func expectInvalid(
    _ fragments: [String],
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected an INVALID_PARAMETER_VALUE error containing \(fragments)", sourceLocation: sourceLocation)
    } catch let error as CairnError {
        #expect(error.code == .invalidParameterValue, sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.message.contains(fragment), "message: \(error.message)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

private func expectInvalidFilter(
    _ filter: String,
    rules: SearchRules = .runs,
    _ fragments: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectInvalid(fragments, sourceLocation: sourceLocation) { _ = try FilterParser.parse(filter, rules: rules) }
}

private func expectInvalidOrder(
    _ clause: String,
    rules: SearchRules = .runs,
    _ fragments: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectInvalid(fragments, sourceLocation: sourceLocation) { _ = try OrderByParser.parse([clause], rules: rules) }
}

// MARK: - Empty filters

@Test(arguments: [nil, "", "   ", "\n\t "] as [String?])
func emptyFilterHasNoComparisons(filter: String?) throws {
    #expect(try FilterParser.parse(filter, rules: .runs) == Filter(comparisons: []))
    #expect(try FilterParser.parse(filter, rules: .experiments).comparisons.isEmpty)
}

// MARK: - Operators

@Test(arguments: [
    ("=", FilterComparator.equal), ("!=", .notEqual), ("<", .less),
    ("<=", .lessOrEqual), (">", .greater), (">=", .greaterOrEqual),
])
func everyNumericOperatorOnMetrics(symbol: String, comparator: FilterComparator) throws {
    #expect(try one("metrics.acc \(symbol) 0.9") == cmp(.metric, "acc", comparator, .number(0.9)))
    #expect(try one("metrics.acc\(symbol)0.9") == cmp(.metric, "acc", comparator, .number(0.9)))
    #expect(try one("attributes.end_time \(symbol) 1700000000000") == cmp(.attribute, "end_time", comparator, .number(1_700_000_000_000)))
}

@Test(arguments: [
    ("=", FilterComparator.equal), ("!=", .notEqual), ("LIKE", .like), ("ILIKE", .ilike),
    ("like", .like), ("ilike", .ilike), ("Like", .like), ("iLike", .ilike),
])
func everyStringOperatorOnParamsTagsAndAttributes(written: String, comparator: FilterComparator) throws {
    #expect(try one("params.model \(written) 'LR%'") == cmp(.param, "model", comparator, .string("LR%")))
    #expect(try one("tags.team \(written) \"ml\"") == cmp(.tag, "team", comparator, .string("ml")))
    #expect(try one("attributes.status \(written) 'FINISHED'") == cmp(.attribute, "status", comparator, .string("FINISHED")))
    #expect(try one("datasets.name \(written) 'train'") == cmp(.dataset, "name", comparator, .string("train")))
}

@Test(arguments: ["IS NULL", "is null", "Is Null", "IS  NULL"])
func isNullOnTagsAndParams(written: String) throws {
    #expect(try one("tags.env \(written)") == cmp(.tag, "env", .isNull, .none))
    #expect(try one("params.lr \(written)") == cmp(.param, "lr", .isNull, .none))
}

@Test(arguments: ["IS NOT NULL", "is not null", "iS nOt NuLl", "IS\tNOT\nNULL"])
func isNotNullOnTagsAndParams(written: String) throws {
    #expect(try one("tags.env \(written)") == cmp(.tag, "env", .isNotNull, .none))
    #expect(try one("params.lr \(written)") == cmp(.param, "lr", .isNotNull, .none))
}

@Test func isNullCombinesWithOtherComparisons() throws {
    #expect(try runs("tags.a IS NULL AND params.b = 'val' AND tags.c IS NOT NULL") == [
        cmp(.tag, "a", .isNull, .none),
        cmp(.param, "b", .equal, .string("val")),
        cmp(.tag, "c", .isNotNull, .none),
    ])
}

// MARK: - Numbers

@Test(arguments: [
    ("1", 1.0), ("0.94", 0.94), ("-1.5", -1.5), ("1e3", 1000), ("1E-3", 0.001), ("2.5e+2", 250),
    (".5", 0.5), ("5.", 5), ("-.5", -0.5), ("-7", -7), ("0", 0), ("1700000000123", 1_700_000_000_123),
])
func numberLiterals(literal: String, expected: Double) throws {
    #expect(try one("metrics.loss <= \(literal)") == cmp(.metric, "loss", .lessOrEqual, .number(expected)))
}

// MARK: - Identifiers and quoting

@Test(arguments: [
    ("params.`my param` = 'x'", FilterEntity.param, "my param"),
    ("tags.\"mlflow.runName\" = 'x'", .tag, "mlflow.runName"),
    ("tags.`mlflow.runName` = 'x'", .tag, "mlflow.runName"),
    ("tags.mlflow.runName = 'x'", .tag, "mlflow.runName"),
    ("metrics.\"accuracy.2.0\" > 5", .metric, "accuracy.2.0"),
    ("metrics.`spacey name` > 5", .metric, "spacey name"),
    ("metrics.\"X-Y-Z\" = 3", .metric, "X-Y-Z"),
    ("metrics.\"X//Y#$$@&Z\" = 3", .metric, "X//Y#$$@&Z"),
    ("`metric`.a >= 0.1", .metric, "a"),
    ("`tags`.source_name = 'a notebook'", .tag, "source_name"),
    ("params.\"p.a.r.a.m\" != \"a\"", .param, "p.a.r.a.m"),
    ("metrics.XYZ = 3", .metric, "XYZ"),
    ("metrics.2nd_loss < 1", .metric, "2nd_loss"),
    ("params.in = 'x'", .param, "in"),
    ("tags.and = 'x'", .tag, "and"),
    ("params.`NOT` = 'x'", .param, "NOT"),
    ("params.größe = 'x'", .param, "größe"),
])
func quotedAndDottedKeys(filter: String, entity: FilterEntity, key: String) throws {
    let comparison = try one(filter)
    #expect(comparison.entity == entity)
    #expect(comparison.key == key)
}

@Test(arguments: [
    ("params.m = 'LR'", "LR"),
    ("params.m = \"LR\"", "LR"),
    ("params.m = \"L'Hosp\"", "L'Hosp"),
    ("params.m = 'say \"hi\"'", "say \"hi\""),
    ("params.m = ''", ""),
    ("params.m = 'a b  c'", "a b  c"),
    ("params.m = '%_x'", "%_x"),
    ("params.m = 'AND b = 1'", "AND b = 1"),
    ("params.m = 'ünï ✓'", "ünï ✓"),
])
func bothQuoteStylesForValues(filter: String, value: String) throws {
    #expect(try one(filter).value == .string(value))
}

/// MLflow lets `''` and `\'` sit inside a quoted value without ending it, and keeps them as written.
@Test(arguments: [
    (#"params.m = 'it''s'"#, #"it''s"#),
    (#"params.m = 'it\'s'"#, #"it\'s"#),
    (#"params.m = "a""b""#, #"a""b"#),
    (#"params.m = "a\"b""#, #"a\"b"#),
    (#"params.m = 'back\\slash'"#, #"back\\slash"#),
])
func escapedQuotesStayAsWritten(filter: String, value: String) throws {
    #expect(try one(filter).value == .string(value))
}

@Test func escapedQuoteDoesNotSwallowTheNextComparison() throws {
    #expect(try runs("params.a = 'it''s' AND params.b = 'x'") == [
        cmp(.param, "a", .equal, .string("it''s")),
        cmp(.param, "b", .equal, .string("x")),
    ])
}

// MARK: - Entity aliases and attribute aliases

@Test(arguments: [
    ("metric", FilterEntity.metric), ("metrics", .metric),
    ("param", .param), ("params", .param), ("parameter", .param), ("parameters", .param),
    ("tag", .tag), ("tags", .tag),
    ("attribute", .attribute), ("attributes", .attribute), ("attr", .attribute), ("run", .attribute),
    ("dataset", .dataset), ("datasets", .dataset),
])
func entityPrefixAliases(prefix: String, entity: FilterEntity) throws {
    let key = switch entity {
    case .attribute: "status"
    case .dataset: "digest"
    default: "k"
    }
    let value = entity == .metric ? "1" : "'v'"
    let comparison = try one("\(prefix).\(key) = \(value)")
    #expect(comparison.entity == entity)
    #expect(comparison.key == key)
}

@Test func bareIdentifierIsAnAttribute() throws {
    #expect(try one("status = 'RUNNING'") == cmp(.attribute, "status", .equal, .string("RUNNING")))
    #expect(try one("start_time > 5") == cmp(.attribute, "start_time", .greater, .number(5)))
}

@Test(arguments: [
    ("created > 10", "start_time"), ("Created > 10", "start_time"), ("attributes.created > 10", "start_time"),
    ("`Run name` = 'x'", "run_name"), ("\"Run name\" = 'x'", "run_name"), ("attributes.`run name` = 'x'", "run_name"),
    ("run.`Run Name` = 'x'", "run_name"), ("attributes.run_name = 'x'", "run_name"),
])
func attributeAliasesAreNormalised(filter: String, key: String) throws {
    let comparison = try one(filter)
    #expect(comparison.entity == .attribute)
    #expect(comparison.key == key)
}

@Test(arguments: ["run_id", "run_name", "user_id", "status", "artifact_uri", "lifecycle_stage"])
func everyStringAttributeOfRuns(key: String) throws {
    #expect(try one("attributes.\(key) = 'v'") == cmp(.attribute, key, .equal, .string("v")))
}

// MARK: - AND

@Test func comparisonsJoinedByAndKeepTheirOrder() throws {
    #expect(try runs("metrics.rmse < 1 and params.model_class = 'LR' AnD tags.t != 'x'") == [
        cmp(.metric, "rmse", .less, .number(1)),
        cmp(.param, "model_class", .equal, .string("LR")),
        cmp(.tag, "t", .notEqual, .string("x")),
    ])
}

@Test func whitespaceIsFree() throws {
    #expect(try runs("  metrics.a>1\n\tAND\tparams.b='c'  ") == [
        cmp(.metric, "a", .greater, .number(1)),
        cmp(.param, "b", .equal, .string("c")),
    ])
}

// MARK: - IN lists

@Test func inListOfRunIds() throws {
    #expect(try one("attributes.run_id IN ('a1', 'b2')") == cmp(.attribute, "run_id", .in, .list(["a1", "b2"])))
    #expect(try one("run_id in ('a1')") == cmp(.attribute, "run_id", .in, .list(["a1"])))
    #expect(try one("run_id IN (\"a1\",'b2',)") == cmp(.attribute, "run_id", .in, .list(["a1", "b2"])))
    #expect(try one("run_id IN('x','y','z')") == cmp(.attribute, "run_id", .in, .list(["x", "y", "z"])))
}

@Test(arguments: ["NOT IN", "not in", "Not In", "NOT   IN"])
func notInList(written: String) throws {
    #expect(try one("attributes.run_id \(written) ('a', 'b')") == cmp(.attribute, "run_id", .notIn, .list(["a", "b"])))
}

@Test(arguments: ["name", "digest", "context"])
func datasetKeysTakeLists(key: String) throws {
    #expect(try one("datasets.\(key) IN ('x', 'y')") == cmp(.dataset, key, .in, .list(["x", "y"])))
    #expect(try one("dataset.\(key) NOT IN ('x')") == cmp(.dataset, key, .notIn, .list(["x"])))
}

@Test func inListAmongOtherComparisons() throws {
    #expect(try runs("params.a = 'b' AND run_id IN ('r1', 'r2') AND metrics.m >= 0") == [
        cmp(.param, "a", .equal, .string("b")),
        cmp(.attribute, "run_id", .in, .list(["r1", "r2"])),
        cmp(.metric, "m", .greaterOrEqual, .number(0)),
    ])
}

// MARK: - Experiments

@Test func experimentFilters() throws {
    #expect(try experiments("name LIKE 'exp%' AND tags.a = '1'") == [
        cmp(.attribute, "name", .like, .string("exp%")),
        cmp(.tag, "a", .equal, .string("1")),
    ])
    #expect(try one("attribute.experiment_id IN ('1', '2')", rules: .experiments)
        == cmp(.attribute, "experiment_id", .in, .list(["1", "2"])))
    #expect(try one("experiment_id != '0'", rules: .experiments) == cmp(.attribute, "experiment_id", .notEqual, .string("0")))
    #expect(try one("creation_time >= 1700000000000", rules: .experiments)
        == cmp(.attribute, "creation_time", .greaterOrEqual, .number(1_700_000_000_000)))
    #expect(try one("attributes.last_update_time < 5", rules: .experiments) == cmp(.attribute, "last_update_time", .less, .number(5)))
    #expect(try one("tag.key1 IS NOT NULL", rules: .experiments) == cmp(.tag, "key1", .isNotNull, .none))
    #expect(try one("tags.`k.x` ILIKE '%v%'", rules: .experiments) == cmp(.tag, "k.x", .ilike, .string("%v%")))
}

// MARK: - Invalid filters: shape

@Test func orIsRejected() {
    expectInvalid(["Invalid clause(s) in filter string: 'OR'"]) {
        _ = try runs("metrics.A > 0.1 OR params.B = 'LR'")
    }
    expectInvalidFilter("metrics.A > 0.1 or params.B = 'LR'", "Invalid clause(s) in filter string: 'or'")
}

@Test func parenthesesOutsideInListsAreRejected() {
    expectInvalidFilter("metrics.A > 0.1 AND (params.B = 'LR')", "Invalid clause(s) in filter string", "(params.B = 'LR')")
    expectInvalidFilter("(metrics.A > 0.1)", "Invalid clause(s) in filter string", "(metrics.A > 0.1)")
    expectInvalidFilter("metrics.A > 0.1 (", "Invalid clause(s) in filter string")
}

@Test(arguments: [
    ("metrics.A > 0.1 NAND params.B = 'LR'", "NAND"),
    ("metrics.A > 0.1 params.B = 'LR'", "params.B"),
    ("metrics.A > 0.1 AND", "AND"),
    ("AND metrics.A > 0.1", "AND"),
    ("metrics.A > 0.1 AND AND params.B = 'LR'", "AND"),
    ("params.acc LR", "params.acc LR"),
    ("params.acc LR !=", "params.acc LR"),
    ("params.acc", "params.acc"),
    ("metric.acc !=", "metric.acc !="),
    ("metric.acc = AND params.b = 'x'", "metric.acc = AND"),
    ("tags.acc = = 'LR'", "tags.acc = ="),
    ("attribute.status IS 'RUNNING'", "attribute.status IS"),
    ("tags.x IS NOT 'a'", "tags.x IS NOT"),
    ("params.x NOT = 'a'", "params.x NOT"),
    ("run_id IN 'a'", "run_id IN"),
    ("params.acc = 'LR", "'LR"),
    ("params.acc = \"LR'", "\"LR'"),
    ("params.acc = LR'", "'"),
    ("`metrics.A > 0.1", "`metrics.A > 0.1"),
    ("metrics.acc >= 0.94; metrics.rmse < 1", ";"),
    ("metrics.acc > 5abc", "5abc"),
    ("metrics.acc > 1.2.3", "1.2.3"),
    ("params.'acc' = 'x'", "params."),
    ("metrics. > 1", "metrics."),
    ("metrics.a > 1 $", "$"),
])
func malformedFiltersAreInvalidClauses(filter: String, fragment: String) {
    expectInvalidFilter(filter, "Invalid clause(s) in filter string", fragment)
}

@Test func unterminatedQuoteSaysSo() {
    expectInvalidFilter("params.acc = 'LR", "unterminated")
}

@Test(arguments: ["1=1", "1==2", "'x' = params.a", "0.5 < metrics.acc"])
func comparisonMustStartWithAnIdentifier(filter: String) {
    expectInvalidFilter(filter, "Expected 'Identifier' found")
}

// MARK: - Invalid filters: entities and keys

@Test(arguments: ["m.acc >= 0.94", "p.model = 'LR'", "attri.x != 1", "a.x != 1", "Metrics.acc > 1", "`dummy`.A > 0.1"])
func unknownEntityType(filter: String) {
    let prefix = String(filter.prefix { $0 != "." }).replacingBackticks()
    expectInvalidFilter(
        filter,
        "Invalid entity type '\(prefix)'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"
    )
}

@Test(arguments: [
    ("acc >= 0.94", "acc"), ("model = 'LR'", "model"), ("attribute.start != 1", "start"),
    ("attribute.experiment_id != '1'", "experiment_id"), ("attribute.name != 'x'", "name"),
    ("attribute._status != 'RUNNING'", "_status"), ("attributes.STATUS = 'x'", "STATUS"),
    ("foo is null", "foo"), ("`metrics.A` > 1", "metrics.A"),
])
func unknownRunAttribute(filter: String, key: String) {
    expectInvalidFilter(filter, "Invalid attribute key '\(key)' specified. Valid keys are", "'run_id'", "'start_time'")
}

@Test func unknownDatasetKey() {
    expectInvalidFilter("dataset.status = 'true'", "Invalid dataset key 'status' specified. Valid keys are", "'digest'")
    expectInvalidFilter("datasets.profile = 'num_rows: 10'", "Invalid dataset key 'profile'")
}

@Test func emptyKeyIsRejected() {
    expectInvalidFilter("params.`` = 'x'", "Invalid identifier 'params.``'")
}

// MARK: - Invalid filters: comparators

@Test(arguments: [
    ("metrics.acc >> 1", ">>"), ("metrics.acc == 1", "=="), ("metrics.acc <> 1", "<>"), ("metrics.acc ~ 1", "~"),
    ("metrics.acc =< 1", "=<"), ("metrics.acc LIKE 1", "LIKE"), ("metrics.acc IN ('1')", "IN"),
    ("params.p > 'x'", ">"), ("params.p <= 'x'", "<="), ("params.p ~= 'x'", "~="), ("tags.t >= 'x'", ">="),
    ("params.p IN ('x')", "IN"), ("tags.t NOT IN ('x')", "NOT IN"), ("params.p NOT LIKE 'x'", "NOT LIKE"),
    ("tags.t not ilike 'x'", "NOT ILIKE"), ("attributes.status > 'x'", ">"), ("attributes.start_time LIKE 5", "LIKE"),
    ("attributes.start_time ILIKE 5", "ILIKE"), ("datasets.name > 'x'", ">"),
])
func comparatorNotAllowedForTheKey(filter: String, comparator: String) {
    expectInvalidFilter(filter, "Invalid comparator '\(comparator)' not one of")
}

@Test func invalidComparatorListsTheAllowedOnes() {
    expectInvalidFilter("params.p > 'x'", "'{'=', '!=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL'}'")
    expectInvalidFilter("metrics.m LIKE 1", "'{'=', '!=', '<', '<=', '>', '>='}'")
}

@Test(arguments: ["metrics.acc IS NULL", "attribute.status IS NULL", "start_time IS NOT NULL", "datasets.name IS NULL"])
func isNullOnlyForTagsAndParams(filter: String) {
    expectInvalidFilter(filter, "IS NULL / IS NOT NULL is only supported for tags and params")
}

@Test(arguments: ["attributes.run_name IN ('foo','bar')", "status NOT IN ('RUNNING')", "start_time IN ('1')"])
func onlyRunIdTakesAList(filter: String) {
    expectInvalidFilter(filter, "Only the 'run_id' attribute supports comparison with a list of quoted string values.")
}

// MARK: - Invalid filters: values

@Test func paramsAndTagsNeedQuotedStrings() {
    expectInvalidFilter("params.acc = 1", "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 1")
    expectInvalidFilter("tags.acc = 5", "Expected a quoted string value for tag (e.g. 'my-value'). Got value 5")
    expectInvalidFilter("params.acc LIKE 0.5", "Expected a quoted string value for parameter")
    expectInvalidFilter("params.acc = LR", "not quoted", "LR")
    expectInvalidFilter("tags.acc = LR", "not quoted")
    expectInvalidFilter("params.acc = `LR`", "not quoted", "`LR`")
    expectInvalidFilter("params.acc = true", "not quoted", "true")
}

@Test func metricsNeedNumbers() {
    expectInvalidFilter("metric.model = 'LR'", "Expected numeric value type for metric. Found 'LR'")
    expectInvalidFilter("metric.model = '5'", "Expected numeric value type for metric. Found '5'")
    expectInvalidFilter("metrics.acc != metrics.acc", "Expected numeric value type for metric. Found metrics.acc")
    expectInvalidFilter("metrics.acc > \"1\"", "Expected numeric value type for metric")
}

@Test func attributesNeedTheirValueType() {
    expectInvalidFilter("attribute.status = 1", "Expected a quoted string value for attributes. Got value 1")
    expectInvalidFilter("attributes.start_time = 'now'", "Expected numeric value type for numeric attribute: start_time. Found 'now'")
    expectInvalidFilter("created > '5'", "Expected numeric value type for numeric attribute: start_time")
    expectInvalidFilter("datasets.name = 40", "Expected a quoted string value for dataset attributes. Got value 40")
    expectInvalidFilter("attributes.run_id = ('a', 'b')", "Expected a quoted string value for attributes. Got value ('a', 'b')")
}

@Test func malformedInLists() {
    expectInvalidFilter("run_id IN ()", "expected a non-empty list of string values, but got empty list")
    expectInvalidFilter("run_id IN (1, 2)", "expected string value, punctuation, or whitespace, but got different type in list: (1, 2)")
    expectInvalidFilter("run_id IN ('a', b)", "but got different type in list: ('a', b)")
    expectInvalidFilter("run_id IN ('a' 'b')", "but got ill-formed list")
    expectInvalidFilter("run_id IN ('a',,'b')", "but got ill-formed list")
    expectInvalidFilter("run_id IN ('a'", "but got ill-formed list")
    expectInvalidFilter("run_id IN (('a'))", "but got ill-formed list")
}

// MARK: - Invalid filters: experiments

@Test(arguments: ["metrics.a > 1", "params.p = 'x'", "datasets.name = 'd'", "x.y = 'z'"])
func experimentsOnlyTakeAttributesAndTags(filter: String) {
    expectInvalidFilter(filter, rules: .experiments, "Invalid entity type", "Valid values are ['tag', 'attribute']")
}

@Test func experimentAttributeRules() {
    expectInvalidFilter("status = 'x'", rules: .experiments, "Invalid attribute key 'status' specified", "'experiment_id'")
    expectInvalidFilter("run_id = 'x'", rules: .experiments, "Invalid attribute key 'run_id'")
    expectInvalidFilter("name IS NULL", rules: .experiments, "IS NULL / IS NOT NULL is only supported for tags, not for 'attribute' 'name'")
    expectInvalidFilter("name IN ('a')", rules: .experiments, "Only the 'experiment_id' attribute supports comparison with a list")
    expectInvalidFilter("experiment_id LIKE '1%'", rules: .experiments, "Invalid comparator 'LIKE'")
    expectInvalidFilter("creation_time > 'yesterday'", rules: .experiments, "Expected numeric value type for numeric attribute: creation_time")
    expectInvalidFilter("name = 1", rules: .experiments, "Expected a quoted string value for attributes. Got value 1")
    expectInvalidFilter("tags.a > 'x'", rules: .experiments, "Invalid comparator '>'")
    expectInvalidFilter("name = 'a' OR name = 'b'", rules: .experiments, "Invalid clause(s) in filter string: 'OR'")
}

/// The shape of the whole string is checked before any comparison's meaning, as in MLflow.
@Test func shapeErrorsComeBeforeMeaningErrors() {
    expectInvalidFilter("nosuchkey = 'x' OR metrics.a > 1", "Invalid clause(s) in filter string: 'OR'")
}

// MARK: - order_by

@Test func orderByDirections() throws {
    let clauses = try OrderByParser.parse(
        ["metrics.m1 DESC", "params.lr", "attributes.start_time ASC", "tags.t desc", "status aSc", "run_name   DeSc"],
        rules: .runs
    )
    #expect(clauses == [
        OrderClause(entity: .metric, key: "m1", ascending: false),
        OrderClause(entity: .param, key: "lr", ascending: true),
        OrderClause(entity: .attribute, key: "start_time", ascending: true),
        OrderClause(entity: .tag, key: "t", ascending: false),
        OrderClause(entity: .attribute, key: "status", ascending: true),
        OrderClause(entity: .attribute, key: "run_name", ascending: false),
    ])
    #expect(try OrderByParser.parse([], rules: .runs).isEmpty)
}

@Test(arguments: [
    ("metrics.`Mean Square Error`", FilterEntity.metric, "Mean Square Error", true),
    ("metrics.`Mean Square Error` ASC", .metric, "Mean Square Error", true),
    ("metrics.`Mean Square Error` DESC", .metric, "Mean Square Error", false),
    ("metrics.\"key1\"  desc", .metric, "key1", false),
    ("params.`my_param` DESC", .param, "my_param", false),
    ("tags.`mlflow.runName`", .tag, "mlflow.runName", true),
    ("tag.\"mlflow.user\" DESC", .tag, "mlflow.user", false),
    ("created DESC", .attribute, "start_time", false),
    ("attributes.Created", .attribute, "start_time", true),
    ("attr.run_id", .attribute, "run_id", true),
    ("run.end_time desc", .attribute, "end_time", false),
    ("user_id", .attribute, "user_id", true),
    ("artifact_uri DESC", .attribute, "artifact_uri", false),
    ("  metric.acc   asc  ", .metric, "acc", true),
])
func orderByIdentifiers(clause: String, entity: FilterEntity, key: String, ascending: Bool) throws {
    #expect(try OrderByParser.parse([clause], rules: .runs) == [OrderClause(entity: entity, key: key, ascending: ascending)])
}

@Test func orderByForExperiments() throws {
    #expect(try OrderByParser.parse(["name", "experiment_id DESC", "attribute.creation_time asc", "last_update_time DESC"], rules: .experiments) == [
        OrderClause(entity: .attribute, key: "name", ascending: true),
        OrderClause(entity: .attribute, key: "experiment_id", ascending: false),
        OrderClause(entity: .attribute, key: "creation_time", ascending: true),
        OrderClause(entity: .attribute, key: "last_update_time", ascending: false),
    ])
}

@Test(arguments: ["", "   ", "metrics.A != 1", "a b c", "`metrics.A", "'name'", "1", "(name)", "name DESC,", "name; drop"])
func unparsableOrderBy(clause: String) {
    expectInvalidOrder(clause, "Invalid order_by clause '\(clause)'. Could not be parsed.")
}

@Test(arguments: ["attribute.run_id ACS", "attribute.run_id decs", "name ascending", "metrics.m up"])
func badOrderDirection(clause: String) {
    expectInvalidOrder(clause, "Invalid ordering key in order_by clause '\(clause)'.")
}

@Test func badOrderByIdentifiers() {
    expectInvalidOrder("m.acc", "Invalid entity type 'm'")
    expectInvalidOrder("attri.x", "Invalid entity type 'attri'")
    expectInvalidOrder("acc", "Invalid attribute key 'acc' specified")
    expectInvalidOrder("attribute.start", "Invalid attribute key 'start'")
    expectInvalidOrder("attribute.experiment_id", "Invalid attribute key 'experiment_id'")
    expectInvalidOrder("lifecycle_stage DESC", "Invalid attribute key 'lifecycle_stage'")
    expectInvalidOrder("`metrics.A`", "Invalid attribute key 'metrics.A'")
    expectInvalidOrder("datasets.name", "Invalid order_by entity type 'datasets'. Valid values are ['metric', 'parameter', 'tag', 'attribute']")
    expectInvalidOrder("tags.x", rules: .experiments, "Invalid order_by entity type 'tags'. Valid values are ['attribute']")
    expectInvalidOrder("metrics.x", rules: .experiments, "Invalid order_by entity type 'metrics'")
    expectInvalidOrder("status", rules: .experiments, "Invalid attribute key 'status' specified")
    expectInvalidOrder("created", rules: .experiments, "Invalid attribute key 'created'")
}

@Test func oneBadOrderByClauseFailsTheList() {
    expectInvalid(["Invalid ordering key in order_by clause 'name sideways'."]) {
        _ = try OrderByParser.parse(["start_time DESC", "name sideways"], rules: .runs)
    }
}

// MARK: - Rules

@Test func rulesDescribeTheSearchKinds() {
    #expect(SearchRules.runs.filterable.keys.count == 5)
    #expect(SearchRules.experiments.filterable[.metric] == nil)
    #expect(SearchRules.runs.rule(for: .attribute, key: "run_id")?.comparators.contains(.in) == true)
    #expect(SearchRules.runs.rule(for: .attribute, key: "status")?.comparators.contains(.in) == false)
    #expect(SearchRules.runs.rule(for: .metric, key: "anything")?.valueType == .number)
    #expect(SearchRules.experiments.rule(for: .tag, key: "k")?.comparators.contains(.isNull) == true)
}

@Test func loggedModelRulesUseTheSameParser() throws {
    #expect(try FilterParser.parse("creation_time > 5 AND metrics.acc >= 0.5 AND params.lr = '0.1'", rules: .loggedModels).comparisons == [
        cmp(.attribute, "creation_timestamp", .greater, .number(5)),
        cmp(.metric, "acc", .greaterOrEqual, .number(0.5)),
        cmp(.param, "lr", .equal, .string("0.1")),
    ])
    expectInvalidFilter("datasets.name = 'x'", rules: .loggedModels, "Invalid entity type 'datasets'")
    expectInvalidFilter("tags.t IS NULL", rules: .loggedModels, "Invalid comparator 'IS NULL'")
    expectInvalidFilter("model_type IN ('a')", rules: .loggedModels, "Only the attributes 'model_id', 'name', 'source_run_id' support comparison with a list")
}

private extension String {
    func replacingBackticks() -> String {
        filter { $0 != "`" }
    }
}
