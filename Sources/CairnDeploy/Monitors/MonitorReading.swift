/// One check of a monitor's signal: its value over the window, how many requests (or labelled
/// predictions) it rests on, and what to say about it.
struct MonitorReading: Sendable {
    var value: Double
    var samples: Int
    /// For drift: the features that drifted.
    var features: [String] = []
    var detail: String
}
