public import PLCCore

extension CompiledProgram {
    /// The blocks shown and sent as locations (the dashboard's views, the runtime's MQTT and
    /// InfluxDB sinks): the location sources of the best rank (`LocationRank`: a presenting block
    /// hides the raw readers), in program order.
    public var bestLocationSources: [(instance: Instance, type: any LocationSource.Type)] {
        var sources: [(instance: Instance, type: any LocationSource.Type)] = []
        var best: LocationRank?
        for instance in instances {
            guard let source = Swift.type(of: instance.block) as? any LocationSource.Type else { continue }
            let rank = source.locationRank
            best = best.map { min($0, rank) } ?? rank
            sources.append((instance, source))
        }
        return sources.filter { $0.type.locationRank == best }
    }
}
