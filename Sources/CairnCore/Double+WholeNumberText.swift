extension Double {
    /// The number as a file or a client writes it: `3` for 3.0 (whole numbers below 10^15, all of
    /// them exact), Swift's shortest form otherwise. Entity keys and categories read from numbers
    /// are matched by this text, so 3 and 3.0 are one key.
    public var wholeNumberText: String {
        isFinite && self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}
