/// Min, median, p90 and max of a set of measurements, by nearest rank
/// (the ⌈q·N⌉-th smallest): every value reported was measured.
public struct Distribution: Equatable, Sendable {
    public let minimum: UInt64
    public let median: UInt64
    public let p90: UInt64
    public let maximum: UInt64

    public init?(_ values: [UInt64]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func rank(_ percent: Int) -> UInt64 {
            sorted[max(0, (percent * sorted.count + 99) / 100 - 1)]
        }
        minimum = sorted[0]
        median = rank(50)
        p90 = rank(90)
        maximum = sorted[sorted.count - 1]
    }
}
