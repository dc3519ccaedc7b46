import Runtime
import Testing

/// `vmm run`'s combinations of options, checked by the plan itself (the
/// CLI only parses): each impossible one is one line naming the options.
@Suite("Runtime: a run plan's consistency")
struct RunPlanTests {
    @Test func aCommandWithARootIsConsistent() {
        var plan = RunPlan()
        plan.request.rootfs = "/r"
        plan.request.readOnlyRoot = true
        plan.request.command = ["true"]
        #expect(plan.inconsistency == nil)
        #expect(!plan.isKernelOnly)
    }

    @Test func aKernelWithNothingToRunIsKernelOnlyAndTakesNoProcessOptions() {
        var plan = RunPlan()
        plan.kernel = "/vmlinux"
        #expect(plan.isKernelOnly)
        #expect(plan.inconsistency == nil)
        plan.request.hostname = "box"
        #expect(plan.inconsistency == "--tty, --env, --workdir, --user, --hostname and --volume describe a command: give one after --")
    }

    @Test func firmwareTakesNoKernelAndABundleNoRootfs() {
        var firmware = RunPlan()
        firmware.firmware = "/fw"
        firmware.initrd = "/i"
        #expect(firmware.inconsistency?.hasPrefix("--firmware runs a firmware image") == true)
        var bundle = RunPlan()
        bundle.request.bundle = "/b"
        bundle.request.rootfs = "/r"
        bundle.request.command = ["true"]
        #expect(bundle.inconsistency?.hasPrefix("--bundle brings its own root filesystem") == true)
        var timeline = RunPlan()
        timeline.timelineOutput = "/t"
        #expect(timeline.inconsistency == "--timeline-output says where the timeline goes: give --timeline too")
    }
}
