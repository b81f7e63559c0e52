using System.Text.RegularExpressions;
using Edge.Agent.Models;

namespace Edge.Tests.Shared.StoreFaults;

/// <summary>
/// A <see cref="StoreFileSystem"/> on the real disk that counts the store's write steps, can stop the process after
/// step k (every later step throws <see cref="SimulatedCrashException"/>), can run out of space (an
/// <see cref="IOException"/> with ENOSPC's code, as .NET raises it on Linux), and models what a power loss keeps:
/// file data only once flushed to disk, names created, renamed or deleted only once their folder is flushed.
/// <see cref="LosePower"/> turns the folder into exactly that durable image, deterministically.
/// </summary>
public sealed partial class PowerLossFileSystem : StoreFileSystem
{
    /// <summary>ENOSPC: what an <see cref="IOException"/>'s HResult holds for a full disk on Linux.</summary>
    public const int NoSpaceError = 28;

    private readonly string _root;
    private readonly Dictionary<int, byte[]> _durableContent = [];
    private readonly Dictionary<string, Dictionary<string, int>> _durableEntries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _live = new(StringComparer.Ordinal);
    private readonly List<string> _steps = [];
    private int _nextFile;
    private int? _crashAt;
    private bool _crashed;

    /// <summary>Models the store folder <paramref name="root"/>; everything already in it counts as durable.</summary>
    public PowerLossFileSystem(string root)
    {
        _root = Path.GetFullPath(root);
        foreach (var directory in Directory.GetDirectories(_root, "*", SearchOption.AllDirectories).Append(_root))
        {
            var entries = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var file in Directory.GetFiles(directory))
            {
                entries[Path.GetFileName(file)] = Adopt(file);
            }

            _durableEntries[directory] = entries;
        }
    }

    /// <summary>The write steps performed so far, named ("create incoming/*.tmp", "flush folder versions", …).
    /// </summary>
    public IReadOnlyList<string> Steps => _steps;

    /// <summary>Bytes that may still be written to new files before writes fail with ENOSPC; null: no limit.</summary>
    public long? WriteBudget { get; set; }

    /// <summary>What <see cref="AvailableBytes"/> reports; null (the default) means unknown, so the store's early
    /// space check passes and only a failing write can tell it the disk is full.</summary>
    public long? ReportedFreeBytes { get; set; }

    /// <summary>A disk whose write cache lies: folder flushes are acknowledged but never reach the platter, so after
    /// a power loss no name created, renamed or deleted since the start survives. For checking that a drill notices.
    /// </summary>
    public bool LosesFolderFlushes { get; set; }

    /// <summary>True once the simulated crash happened.</summary>
    public bool Crashed => _crashed;

    /// <summary>Lets <paramref name="steps"/> more write steps happen, then crashes on the next one.</summary>
    public void CrashAfter(int steps) => _crashAt = _steps.Count + steps;

    /// <inheritdoc />
    public override Stream CreateNew(string path)
    {
        Step($"create {Relative(path)}");
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        _live[Path.GetFullPath(path)] = NewFile([]);
        return new BudgetStream(stream, this);
    }

    /// <inheritdoc />
    public override void FlushToDisk(Stream file, string path)
    {
        ArgumentNullException.ThrowIfNull(file);
        Step($"flush {Relative(path)}");
        file.Flush();
        var full = Path.GetFullPath(path);
        _durableContent[_live.TryGetValue(full, out var id) ? id : Adopt(full)] = File.ReadAllBytes(full);
    }

    /// <inheritdoc />
    public override void Move(string source, string destination)
    {
        Step($"rename {Relative(source)} → {Relative(destination)}");
        var (from, to) = (Path.GetFullPath(source), Path.GetFullPath(destination));
        var id = _live.TryGetValue(from, out var known) ? known : Adopt(from);
        File.Move(from, to, overwrite: true);
        _live.Remove(from);
        _live[to] = id;
    }

    /// <inheritdoc />
    public override void Delete(string path)
    {
        Step($"delete {Relative(path)}");
        File.Delete(path);
        _live.Remove(Path.GetFullPath(path));
    }

    /// <inheritdoc />
    public override void FlushDirectory(string directory)
    {
        Step($"flush folder {Relative(directory)}");
        if (LosesFolderFlushes)
        {
            return;
        }

        var full = Path.GetFullPath(directory);
        var entries = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(full))
        {
            entries[Path.GetFileName(file)] = _live.TryGetValue(file, out var id) ? id : Adopt(file);
        }

        _durableEntries[full] = entries;
    }

    /// <inheritdoc />
    public override long? AvailableBytes(string directory) => ReportedFreeBytes;

    /// <summary>
    /// Cuts the power: every folder under the root is left holding only its durable entries, each with its durable
    /// content (a name made durable before its data was flushed comes back as an empty file).
    /// </summary>
    public void LosePower()
    {
        foreach (var directory in Directory.GetDirectories(_root, "*", SearchOption.AllDirectories).Append(_root))
        {
            foreach (var file in Directory.GetFiles(directory))
            {
                File.Delete(file);
            }

            if (_durableEntries.TryGetValue(directory, out var entries))
            {
                foreach (var (name, id) in entries)
                {
                    File.WriteAllBytes(Path.Combine(directory, name), _durableContent[id]);
                }
            }
        }
    }

    private void Step(string what)
    {
        if (_crashed || _steps.Count == _crashAt)
        {
            _crashed = true;
            throw new SimulatedCrashException($"Simulated crash before step {_steps.Count + 1} ({what}).");
        }

        _steps.Add(what);
    }

    /// <summary>The path under the root, with random ids shown as <c>*</c> so step names repeat run to run.</summary>
    private string Relative(string path)
        => RandomId().Replace(Path.GetRelativePath(_root, Path.GetFullPath(path)), "*");

    [GeneratedRegex("[0-9a-f]{32}")]
    private static partial Regex RandomId();

    private int Adopt(string path)
    {
        var id = NewFile(File.ReadAllBytes(path));
        _live[Path.GetFullPath(path)] = id;
        return id;
    }

    private int NewFile(byte[] durable)
    {
        var id = ++_nextFile;
        _durableContent[id] = durable;
        return id;
    }

    private void Spend(int bytes)
    {
        if (_crashed)
        {
            throw new SimulatedCrashException("Simulated crash: the process is gone.");
        }

        if (WriteBudget is { } budget)
        {
            if (bytes > budget)
            {
                WriteBudget = 0;
                throw new IOException("No space left on device (simulated)", NoSpaceError);
            }

            WriteBudget = budget - bytes;
        }
    }

    /// <summary>A new file's stream: each write spends the budget first.</summary>
    private sealed class BudgetStream(FileStream inner, PowerLossFileSystem owner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush(flushToDisk: true);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            owner.Spend(buffer.Length);
            inner.Write(buffer);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            owner.Spend(buffer.Length);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>The simulated process death of <see cref="PowerLossFileSystem"/>: nothing after it reaches the disk.
/// </summary>
public sealed class SimulatedCrashException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SimulatedCrashException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and <paramref name="inner"/>.</summary>
    public SimulatedCrashException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
