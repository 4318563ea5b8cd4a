import Hummingbird
import Prometheus

/// `GET /metrics`: a registry's series in Prometheus' text exposition format.
public enum PrometheusText {
    public static func response(_ registry: PrometheusCollectorRegistry) -> Response {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
