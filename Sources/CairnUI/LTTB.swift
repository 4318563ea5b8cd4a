/// Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): picks `threshold` points of a
/// series so that a line drawn through them keeps the shape of the full series — peaks, dips and
/// trend — which is what a chart of a 100,000-step metric needs at a few hundred pixels wide.
public enum LTTB {
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double

        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// The indices (ascending) of the points to keep. The first and last points are always kept;
    /// a series no longer than `threshold` (or a threshold under 3) is kept whole.
    public static func indices(of points: [Point], threshold: Int) -> [Int] {
        guard threshold >= 3, points.count > threshold else { return Array(points.indices) }
        var kept = [0]
        kept.reserveCapacity(threshold)
        // The points between the first and the last are split into threshold - 2 buckets.
        let bucketSize = Double(points.count - 2) / Double(threshold - 2)
        var previous = 0
        for bucket in 0..<(threshold - 2) {
            let start = Int(Double(bucket) * bucketSize) + 1
            let end = min(Int(Double(bucket + 1) * bucketSize) + 1, points.count - 1)
            // The next bucket's average is the third corner of the triangle.
            let nextStart = end
            let nextEnd = min(Int(Double(bucket + 2) * bucketSize) + 1, points.count)
            var averageX = 0.0, averageY = 0.0
            for index in nextStart..<nextEnd {
                averageX += points[index].x
                averageY += points[index].y
            }
            let count = Double(max(nextEnd - nextStart, 1))
            averageX /= count
            averageY /= count

            let anchor = points[previous]
            var largestArea = -1.0
            var chosen = start
            for index in start..<max(end, start + 1) {
                let point = points[index]
                // Twice the triangle's area; the factor does not change which point wins.
                let area = abs((anchor.x - averageX) * (point.y - anchor.y) - (anchor.x - point.x) * (averageY - anchor.y))
                if area > largestArea {
                    largestArea = area
                    chosen = index
                }
            }
            kept.append(chosen)
            previous = chosen
        }
        kept.append(points.count - 1)
        return kept
    }

    /// The kept points themselves.
    public static func downsample(_ points: [Point], threshold: Int) -> [Point] {
        indices(of: points, threshold: threshold).map { points[$0] }
    }
}
