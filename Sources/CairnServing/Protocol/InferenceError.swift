/// A request the model cannot answer, with the HTTP status the Open Inference Protocol gives it
/// (400 bad input, 404 unknown model, 503 not ready, 500 runtime failure).
public struct InferenceError: Error, CustomStringConvertible {
    public var status: Int
    public var message: String

    public static func badInput(_ message: String) -> InferenceError { InferenceError(status: 400, message: message) }
    public static func notFound(_ message: String) -> InferenceError { InferenceError(status: 404, message: message) }

    public var description: String { message }
}
