extension Array {
    /// The array, or nil when empty: wire formats omit empty repeated fields.
    public var nonEmpty: [Element]? { isEmpty ? nil : self }
}
