/// How right a deployment has been on the requests whose labels came back: accuracy, and
/// precision and recall of the positive class, when predictions are classes; RMSE and MAE when
/// predictions and labels are numbers.
public struct OnlinePerformance: Sendable, Equatable {
    public var labelled: Int
    public var accuracy: Double?
    public var precision: Double?
    public var recall: Double?
    public var rmse: Double?
    public var mae: Double?

    /// Compares each prediction with its label. Numbers that are whole count as classes too
    /// (`1.0` and `1` are the same class); `positive` names the class precision and recall are for.
    public init(pairs: [(prediction: ReferenceDataset.Value, label: ReferenceDataset.Value)], positive: String = "1") {
        labelled = pairs.count
        guard !pairs.isEmpty else { return }
        let classes = pairs.map { (Self.className($0.prediction), Self.className($0.label)) }
        accuracy = Double(classes.filter { $0.0 == $0.1 }.count) / Double(pairs.count)
        let truePositives = classes.filter { $0.0 == positive && $0.1 == positive }.count
        let predictedPositive = classes.filter { $0.0 == positive }.count
        let actualPositive = classes.filter { $0.1 == positive }.count
        precision = predictedPositive > 0 ? Double(truePositives) / Double(predictedPositive) : nil
        recall = actualPositive > 0 ? Double(truePositives) / Double(actualPositive) : nil
        let numbers = pairs.compactMap { pair -> (Double, Double)? in
            guard case .number(let predicted) = pair.prediction, case .number(let actual) = pair.label else { return nil }
            return (predicted, actual)
        }
        if numbers.count == pairs.count {
            rmse = (numbers.map { ($0.0 - $0.1) * ($0.0 - $0.1) }.reduce(0, +) / Double(numbers.count)).squareRoot()
            mae = numbers.map { abs($0.0 - $0.1) }.reduce(0, +) / Double(numbers.count)
        }
    }

    static func className(_ value: ReferenceDataset.Value) -> String {
        switch value {
        case .number(let number) where number == number.rounded() && abs(number) < 1e15: String(Int64(number))
        case .number(let number): String(number)
        case .text(let text): text
        }
    }
}
