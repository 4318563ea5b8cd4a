import CairnCore

/// What a promotion moves a version into: a stage, or an alias.
public enum PromotionTarget: Sendable, Equatable, Hashable {
    case stage(ModelStage)
    case alias(String)

    /// The stored form: `stage:Production`, `alias:champion`.
    public var key: String {
        switch self {
        case .stage(let stage): "stage:\(stage.rawValue)"
        case .alias(let alias): "alias:\(alias)"
        }
    }

    public init(key: String) throws {
        if key.hasPrefix("stage:"), let stage = ModelStage(clientName: String(key.dropFirst(6))) {
            self = .stage(stage)
        } else if key.hasPrefix("alias:") {
            self = .alias(String(key.dropFirst(6)))
        } else {
            throw CairnError.invalidParameter("Invalid promotion target '\(key)': expected 'stage:<Stage>' or 'alias:<alias>'.")
        }
    }

    public var description: String {
        switch self {
        case .stage(let stage): "stage \(stage.rawValue)"
        case .alias(let alias): "alias @\(alias)"
        }
    }
}
