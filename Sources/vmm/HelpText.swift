/// What `--help` prints, command by command.
enum HelpText {
    static let version = "0.1.0"

    static let main = """
        vmm: run containers, each in its own micro virtual machine

        usage: vmm <command> [options]

        commands:
          run     run a guest in a new VM and exit with its status
          check   report what this host can run
          bench   run a guest many times and report each boot phase's spread

        OCI runtime (as podman, CRI-O or containerd call it):
          create  [--bundle DIR] [--pid-file FILE] ID   boot the VM to init ready
          start   ID                                    run the container's process
          state   ID                                    print its state (JSON)
          kill    [--all] ID [SIGNAL]                   signal the process (default TERM)
          pause   ID                                    stop its vCPUs (the whole VM freezes)
          resume  ID                                    run them again
          delete  [--force] ID                          remove a stopped container
          exec    [--tty] [--detach] ID COMMAND...      run another process in it
          list    [--format table|json] [--quiet]       the containers under the root
          ps      [--format table|json] ID              its host processes (the VMM)
          features                                      what this runtime supports (JSON)

        global options (before the command):
          --root DIR          container state (default /run/vmm)
          --log FILE          also write errors there
          --log-format FMT    text or json
          --systemd-cgroup    accepted for managers; no host cgroup is managed yet
          --version           print vmm's and the runtime-spec's versions

        vmm <command> --help shows a command's options.

        """

    static let bench = """
        usage: vmm bench [--runs N] [--warmup N] [--json FILE] [RUN OPTIONS] [-- COMMAND...]

        bench's options may stand anywhere among the run options, before the command.

        Runs `vmm run --timeline=json RUN OPTIONS [-- COMMAND...]` N times
        (default 10) after the warm-up runs (default 1), one after another,
        and prints min, median, p90 and max of every boot phase, of the total,
        of the wall time (spawn to reap) and of memory: peak RSS, and vmm's
        overhead without the guest's memory. --json FILE writes every run's
        timeline and the statistics (schema in docs/timeline.md). Each run's
        stdin and stdout are /dev/null; a run that fails stops the bench.

        example: vmm bench --runs 20 --firmware firmware/build/hlt.bin

        """

    static let run = """
        usage: vmm run [options] [--] COMMAND [ARG...]
               vmm run [--kernel PATH] [--initrd PATH] [--cmdline STR] [options]
               vmm run --firmware PATH [options]

        Runs COMMAND in a new VM and exits with its status (128+N when a
        signal N killed it), or 125 when vmm or the VM failed. Without a
        command, boots the kernel (and initrd) alone; with --firmware, runs
        a firmware guest.

        the process:
          -t, --tty           give it a terminal (the host terminal goes raw)
          -e, --env K=V       add an environment variable (repeatable)
          -w, --workdir DIR   working directory (absolute)
          -u, --user U[:G]    numeric uid and gid
          --hostname NAME     the VM's hostname
          -v, --volume H:G[:ro]  bind-mount host path H at G (repeatable;
                              ro is enforced on the host)
          -b, --bundle DIR    an OCI bundle: its config.json's process, root and
                              mounts (no --rootfs, --firmware or --initrd)
          --rootfs DIR        the root filesystem, shared over virtio-fs
                              (default: the initramfs, with busybox)
          --read-only         share it read-only
          --network MODE      none (default: lo only); passt (outbound through
                              Debian's passt, no host set-up: 10.0.2.15, the
                              host's loopback at 10.0.2.2); or a TAP:
                              tap:NAME[,ip=CIDR][,gateway=ADDR][,mac=MAC][,mtu=N]

        the VM:
          --kernel PATH       Linux kernel, ELF vmlinux or bzImage (default:
                              $VMM_KERNEL, else the one kernel/build.sh built)
          --initrd PATH       initial ramdisk (kernel-only runs)
          --cmdline STR       kernel command line (default: \(MachineDefaults.commandLine);
                              with a command: \(MachineDefaults.containerCommandLine))
          --firmware PATH     flat firmware image instead (see firmware/README.md)
          --memory MiB        guest memory (default \(MachineDefaults.memoryMiB))
          --cpus N            vCPUs (default 1)
          --kvm-device PATH   KVM device (default /dev/kvm)
          --debug             show the kernel's, init's and virtiofsd's messages on stderr
          --virtiofsd PATH    virtiofsd to run (default: PATH, then /usr/lib/qemu/virtiofsd)
          --runtime-dir DIR   where the VM's private directory goes (default /tmp)
          --timeline[=json]   print the boot timeline (µs per phase) and memory
                              use to stderr at the end (docs/timeline.md)
          --timeline-output PATH  write the timeline there instead of stderr
          --stop-at-first-exit  end the VM at the guest's first exit (benchmarks)

        """

    static let create = """
        usage: vmm [--root DIR] create [-b|--bundle DIR] [--pid-file FILE]
                   [--console-socket PATH] ID

        Boots the VM for the OCI bundle (default: the current directory) until
        its init is ready, and returns; the monitor process left behind runs
        the VM, and its exit status will be the container's. The pid file
        gets the monitor's pid; with process.terminal, the terminal's master
        goes to the --console-socket. Accepted as runc's and ignored:
        --no-pivot and --no-new-keyring (no host mount namespace or keyring in
        play), --preserve-fds 0 (more is refused: no descriptor reaches a VM).

        """

    static let exec = """
        usage: vmm [--root DIR] exec [-p|--process FILE] [-t|--tty] [--console-socket PATH]
                   [-d|--detach] [--pid-file FILE] [-e|--env KEY=VALUE]... [--cwd DIR]
                   [-u|--user UID[:GID]] [-c|--cap CAP]... [--no-new-privs] ID [COMMAND...]

        Runs another process in the running container ID, in its namespaces
        and root, and exits with its status (the code, or 128 + signal). The
        process is the --process file (a runtime-spec Process, as podman and
        containerd write it), else the container's own with COMMAND; the
        options apply on top. Its stdin, stdout and stderr are this command's,
        or with --tty a terminal: this one's, or one whose master goes to the
        --console-socket. Signals this command gets reach the process. With
        --detach it returns once the process runs; a child of it carries the
        stdio and exits with the status (its pid goes to the --pid-file).
        Accepted as runc's and ignored: --cgroup, --apparmor, --process-label,
        --preserve-fds 0. --report-fd FD is internal (the detached child's).

        """

    static let list = """
        usage: vmm [--root DIR] list [-f|--format table|json] [-q|--quiet]

        Lists the containers under the state root, as runc does: a table (ID,
        PID, STATUS, BUNDLE, CREATED, OWNER), their state documents with
        "created" as JSON, or only their IDs.

        """

    static let ps = """
        usage: vmm [--root DIR] ps [-f|--format table|json] ID [PS_ARGS...]

        The container's processes as the host sees them, as runc prints them:
        its monitor (the VMM) and the helpers it started; the processes inside
        the guest are not host processes. JSON: their pids; a table: ps(1)'s
        header and lines for them (PS_ARGS are ps's options; without them,
        every process in full format).

        """

    static let verbs = """
        usage: vmm [--root DIR] start ID
               vmm [--root DIR] state ID
               vmm [--root DIR] kill [-a|--all] ID [SIGNAL]   (all: exec'd processes too)
               vmm [--root DIR] pause ID
               vmm [--root DIR] resume ID
               vmm [--root DIR] delete [-f|--force] ID
               vmm [--root DIR] exec ID COMMAND...   (vmm exec --help)
               vmm [--root DIR] list [-f|--format table|json] [-q]

        """

    static let check = """
        usage: vmm check [--kvm-device PATH]

        Reports, one line each, whether KVM works, which kind of
        virtualization the host has, and whether virtiofsd and a built
        kernel are present. Exits 1 when KVM is unusable.

        """

    static let features = """
        usage: vmm features

        Prints what this runtime supports, as runtime-spec features.md describes.

        """
}

import Machine

enum MachineDefaults {
    static let memoryMiB = MachineConfiguration.defaultMemoryMiB
    static let commandLine = MachineConfiguration.defaultCommandLine
    static let containerCommandLine = MachineConfiguration.containerCommandLine
}
