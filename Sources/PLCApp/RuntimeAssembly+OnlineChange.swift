import PLCCore
public import PLCGraph
import PLCMeters
import PLCModbus
import PLCRuntime
import PLCSql
import PLCStorage

extension RuntimeAssembly {
    /// Loads `edited` (the program folder read again, `--set` applied) into the running program as
    /// an online change; any thread but the scan thread, one change at a time. The edited program is
    /// set up (`ProgramSetup`: compiled, meters configured, settings checked) and compiled around the
    /// running blocks here, off the scan thread; the scan thread swaps it in at the start of its next
    /// scan and writes the change's line in the error log. `by` names who asked, for the audit line.
    ///
    /// Returns the summary line (`online change: 1 blocks added, 0 removed, 9 kept, 0 reset`), or
    /// throws why the change is refused, with `file:line`; the running program then goes on unchanged.
    public func change(to edited: ProgramFile, settings: RuntimeSettings, by who: String) throws(Failure) -> String {
        changing.lock()
        defer { changing.unlock() }
        do throws(Failure) {
            return try applyChange(edited, settings: settings, by: who)
        } catch {
            let first = error.description.split(separator: "\n").first.map(String.init) ?? ""
            program.online.submit(.note("online change refused: \(first)"), by: who)
            note("\(file.name): online change refused:\n\(error.description)")
            throw error
        }
    }

    private func applyChange(_ edited: ProgramFile, settings: RuntimeSettings, by who: String) throws(Failure) -> String {
        var edited = edited
        // Under --simulate the buses point at the simulator, as at the start.
        for i in edited.buses.indices {
            guard let running = file.buses.first(where: { $0.name == edited.buses[i].name }) else { continue }
            edited.buses[i].settings += running.settings.filter { $0.origin == .runtime("--simulate") }
        }
        let fresh = try ProgramSetup(file: edited, library: setup.library, settings: settings)
        let change: OnlineChange
        do throws(ProgramErrors) {
            change = try program.prepareChange(to: fresh.program, library: setup.library)
        } catch {
            throw Failure(description: error.description)
        }
        // A kept meter reads with the model it was configured with at the start.
        let running = Dictionary(program.instances.map { ($0.name, $0.block) }) { first, _ in first }
        for instance in fresh.program.instances where change.kept.contains(instance.name) {
            guard let new = instance.block as? MeterRead, let old = running[instance.name] as? MeterRead,
                  new.model?.path != old.model?.path else { continue }
            throw Failure(description: "\(edited.path):\(instance.line): \(instance.name): its meter model changed from "
                          + "\(old.model?.name ?? "none") to \(new.model?.name ?? "none"); restart the program to read the new one")
        }
        // The added blocks join the running buses and storage writer before they run.
        for instance in change.added {
            if let block = instance.block as? any BusBlock,
               let bus = instance.bus ?? (file.buses.count == 1 ? file.buses[0].name : nil), let worker = modbus.workers[bus] {
                block.attach(worker)
            }
        }
        storage.attach(added: change.added.map(\.block))
        var started: [any RuntimeService] = []
        var startedBy: [ObjectIdentifier: [any RuntimeService]] = [:]
        for instance in change.added {
            guard let owner = instance.block as? any ServiceOwner else { continue }
            ConstantInputs.apply(to: instance, of: change.edited)
            do {
                for service in try owner.makeServices() {
                    try service.start()
                    started.append(service)
                    startedBy[ObjectIdentifier(owner as AnyObject), default: []].append(service)
                }
            } catch {
                for service in started.reversed() { service.stop() }
                throw Failure(description: "\(edited.path):\(instance.line): \(instance.name): \(error)")
            }
        }
        let dropped = change.removed.flatMap { owned[ObjectIdentifier($0.block as AnyObject)] ?? [] }
        let line = change.summary + (who.isEmpty ? "" : " (\(who))")
        var sinksGone: [any RuntimeService] = []
        let refusal = program.apply(change) { [self] context in
            // Scan thread, between two scans: the runtime follows the new version. The line goes
            // into the error logs the program wrote so far (the added blocks' files are wired by this scan).
            storage.note("INFO", line, at: context.localTime)
            storage.follow(blocks: program.instances.map(\.block))
            for instance in change.removed { (instance.block as? any IOBlock)?.shutdown() }
            for service in dropped { group.remove(service) }
            for service in started { group.adopt(service) }
            // The runtime's own sinks (MqttBroker, SqlConnection, InfluxFile) follow the locations.
            sinksGone = followSinks(added: change.added.map(\.block), removed: change.removed.map(\.block))
        }
        if let refusal {
            for service in started.reversed() { service.stop() }
            throw Failure(description: "\(edited.path): online change refused: \(refusal)")
        }
        for instance in change.removed { owned[ObjectIdentifier(instance.block as AnyObject)] = nil }
        owned.merge(startedBy) { _, new in new }
        for service in dropped.reversed() { service.stop() }
        if !sinksGone.isEmpty {
            // A removed location's last rows (its logger handed them over at the swap) go to SQL first.
            storage.writer.settle(timeout: 2)
            for service in sinksGone { (service as? WorkerService<SqlForwarder>)?.worker?.finish() }
            for service in sinksGone.reversed() { service.stop() }
        }
        let micros = program.lastSwapNanoseconds / 1000
        note("\(file.name): \(line); swapped in between two scans in \(micros / 1000).\(String(micros % 1000 + 1000).dropFirst()) ms")
        return line
    }
}
