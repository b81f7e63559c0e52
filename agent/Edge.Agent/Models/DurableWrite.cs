namespace Edge.Agent.Models;

/// <summary>
/// Replaces a file so that a crash or a power loss at any instant leaves either the old or the new content: write a
/// temporary file beside it, flush it to disk, rename it over the target, flush the folder.
/// </summary>
internal static class DurableWrite
{
    /// <summary>The ending of every temporary file the store writes; any left over after a crash is removed on open.
    /// </summary>
    public const string TemporaryExtension = ".tmp";

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; on failure the old file is intact
    /// and the temporary file is removed (when the disk still allows it).</summary>
    public static void Replace(StoreFileSystem files, string path, Action<Stream> write)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TemporaryExtension}");
        var renamed = false;
        try
        {
            using (var stream = files.CreateNew(temporary))
            {
                write(stream);
                files.FlushToDisk(stream, temporary);
            }

            files.Move(temporary, path);
            renamed = true;
            files.FlushDirectory(directory);
        }
        catch (IOException) when (!renamed)
        {
            TryDelete(files, temporary);
            throw;
        }
    }

    /// <summary>Deletes <paramref name="path"/>, ignoring a failure (a leftover is removed on the next open).
    /// </summary>
    public static void TryDelete(StoreFileSystem files, string path)
    {
        try
        {
            files.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do now; the store removes temporary files and unlisted packages when it opens.
        }
    }

    /// <summary>Flushes <paramref name="directory"/>, ignoring a failure (deletions it would make durable are redone on
    /// the next open).</summary>
    public static void TryFlushDirectory(StoreFileSystem files, string directory)
    {
        try
        {
            files.FlushDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // As above: the next open finds and removes what is left.
        }
    }
}
