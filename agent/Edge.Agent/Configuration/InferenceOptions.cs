namespace Edge.Agent.Configuration;

/// <summary>Inference inputs of the <c>run</c> service, bound from <c>Edge:Inference</c>.</summary>
public sealed class InferenceOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Inference";

    /// <summary>Folder watched for .csv, .json and .wav files to classify; empty turns the watcher off. Needs a model
    /// store.</summary>
    public string WatchDirectory { get; set; } = "";

    /// <summary>Where classified files go (created if missing); empty means <c>processed</c> inside the watched
    /// folder.</summary>
    public string ProcessedDirectory { get; set; } = "";

    /// <summary>Where files that could not be classified go, each with a <c>.error.txt</c>; empty means <c>failed</c>
    /// inside the watched folder.</summary>
    public string FailedDirectory { get; set; } = "";

    /// <summary>A file is read only once its size and time stamp have not changed for this long (a writer may still be
    /// busy).</summary>
    public int StableMilliseconds { get; set; } = 1000;

    /// <summary>How often the folder is scanned.</summary>
    public int PollMilliseconds { get; set; } = 250;

    /// <summary>True when a folder is watched.</summary>
    public bool WatchEnabled => !string.IsNullOrWhiteSpace(WatchDirectory);

    /// <summary>The processed folder, resolved.</summary>
    public string ProcessedPath => Resolve(ProcessedDirectory, "processed");

    /// <summary>The failed folder, resolved.</summary>
    public string FailedPath => Resolve(FailedDirectory, "failed");

    private string Resolve(string configured, string defaultName)
        => Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(WatchDirectory, defaultName)
            : configured);
}
