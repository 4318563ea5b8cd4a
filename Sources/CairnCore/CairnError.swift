/// The one error type services throw. The HTTP layer renders it as MLflow's
/// `{"error_code": …, "message": …}` body with `code.httpStatus`.
public struct CairnError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: ErrorCode
    public let message: String
    /// The HTTP status to answer with; `code.httpStatus` unless a transport limit calls for another (413).
    public let httpStatus: Int

    public init(_ code: ErrorCode, _ message: String, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus ?? code.httpStatus
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func invalidParameter(_ message: String) -> CairnError {
        CairnError(.invalidParameterValue, message)
    }

    public static func notFound(_ message: String) -> CairnError {
        CairnError(.resourceDoesNotExist, message)
    }

    public static func alreadyExists(_ message: String) -> CairnError {
        CairnError(.resourceAlreadyExists, message)
    }

    public static func invalidState(_ message: String) -> CairnError {
        CairnError(.invalidState, message)
    }

    public static func internalError(_ message: String) -> CairnError {
        CairnError(.internalError, message)
    }
}
