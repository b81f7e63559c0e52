namespace Edge.Bridge.Protocol;

/// <summary>
/// Receiver side of the link: which sequence comes next, and a small buffer of frames that arrived ahead of a gap
/// (linear search: the window is at most 32 entries).
/// </summary>
internal sealed class ReceiveWindow
{
    private readonly Message?[] buffered;
    private readonly ushort[] bufferedSequence;

    public ReceiveWindow(int size)
    {
        buffered = new Message?[size];
        bufferedSequence = new ushort[size];
    }

    public int Size => buffered.Length;

    public bool HasSession { get; private set; }

    public ushort SessionStart { get; private set; }

    public ushort Expected { get; private set; }

    public void StartSession(ushort firstSequence)
    {
        HasSession = true;
        SessionStart = firstSequence;
        Expected = firstSequence;
        for (var i = 0; i < buffered.Length; i++)
        {
            buffered[i] = null;
        }
    }

    /// <summary>Stores a frame that arrived ahead of <see cref="Expected"/>; false if it is already held.</summary>
    public bool Hold(ushort sequence, Message message)
    {
        var free = -1;
        for (var i = 0; i < buffered.Length; i++)
        {
            if (buffered[i] is null)
            {
                free = free < 0 ? i : free;
            }
            else if (bufferedSequence[i] == sequence)
            {
                return false;
            }
        }

        // A free slot always exists: only sequences Expected+1 .. Expected+Size-1 are held.
        buffered[free] = message;
        bufferedSequence[free] = sequence;
        return true;
    }

    /// <summary>Advances past the expected frame and returns the buffered frame that is now expected, if any.</summary>
    public Message? Advance()
    {
        Expected++;
        for (var i = 0; i < buffered.Length; i++)
        {
            var message = buffered[i];
            if (message is not null && bufferedSequence[i] == Expected)
            {
                buffered[i] = null;
                return message;
            }
        }

        return null;
    }
}
