/// MLflow-style friendly run names ("adjective-animal-123") for runs created without one.
enum RunNameGenerator {
    private static let adjectives = [
        "able", "bold", "brave", "bright", "calm", "clever", "crisp", "daring", "eager", "fair", "gentle", "glad",
        "grand", "honest", "jolly", "keen", "kind", "lively", "lucky", "merry", "nimble", "polite", "proud",
        "quick", "quiet", "rare", "silent", "smart", "steady", "sunny", "swift", "tidy", "warm", "wise", "zesty",
    ]
    private static let animals = [
        "ant", "bass", "bear", "bee", "bird", "cat", "crab", "crow", "deer", "doe", "dove", "duck", "eel", "elk",
        "finch", "fox", "frog", "gnu", "goat", "hare", "hawk", "hen", "jay", "koi", "lark", "lynx", "mole",
        "moth", "newt", "owl", "ram", "seal", "shrew", "snail", "squid", "swan", "toad", "whale", "wolf", "yak",
    ]

    static func make() -> String {
        "\(adjectives.randomElement()!)-\(animals.randomElement()!)-\(Int.random(in: 100...999))"
    }
}
