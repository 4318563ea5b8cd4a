/// MLflow's `ErrorCode` names (databricks.proto) and the HTTP status MLflow answers each with.
public enum ErrorCode: String, Sendable, CaseIterable {
    case internalError = "INTERNAL_ERROR"
    case temporarilyUnavailable = "TEMPORARILY_UNAVAILABLE"
    case badRequest = "BAD_REQUEST"
    case deadlineExceeded = "DEADLINE_EXCEEDED"
    case cancelled = "CANCELLED"
    case resourceExhausted = "RESOURCE_EXHAUSTED"
    case aborted = "ABORTED"
    case notFound = "NOT_FOUND"
    case alreadyExists = "ALREADY_EXISTS"
    case unauthenticated = "UNAUTHENTICATED"
    case invalidParameterValue = "INVALID_PARAMETER_VALUE"
    case endpointNotFound = "ENDPOINT_NOT_FOUND"
    case malformedRequest = "MALFORMED_REQUEST"
    case invalidState = "INVALID_STATE"
    case permissionDenied = "PERMISSION_DENIED"
    case requestLimitExceeded = "REQUEST_LIMIT_EXCEEDED"
    case resourceConflict = "RESOURCE_CONFLICT"
    case notImplemented = "NOT_IMPLEMENTED"
    case dataLoss = "DATA_LOSS"
    case resourceAlreadyExists = "RESOURCE_ALREADY_EXISTS"
    case resourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST"

    /// The HTTP status MLflow's server maps this code to (`mlflow/protos` → `ERROR_CODE_TO_HTTP_STATUS`).
    public var httpStatus: Int {
        switch self {
        case .invalidParameterValue, .resourceAlreadyExists, .badRequest, .malformedRequest: 400
        case .resourceDoesNotExist, .endpointNotFound, .notFound: 404
        case .permissionDenied: 403
        case .unauthenticated: 401
        case .alreadyExists, .resourceConflict, .aborted: 409
        case .requestLimitExceeded, .resourceExhausted: 429
        case .internalError, .invalidState, .dataLoss: 500
        case .notImplemented: 501
        case .temporarilyUnavailable: 503
        case .deadlineExceeded: 504
        case .cancelled: 499
        }
    }
}
