/// An answer that writes its own JSON. For the hottest answers only: through `Encodable` every
/// value costs an encoder or a container and a dynamic check, which for an online feature lookup
/// was more time than the rest of the request.
public protocol JSONBodyWriting: Sendable {
    func writeJSON(to writer: inout JSONWriter)
}
