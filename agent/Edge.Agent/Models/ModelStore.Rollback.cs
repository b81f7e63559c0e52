using Edge.Domain.Messaging;

namespace Edge.Agent.Models;

/// <summary>
/// Going back: explicitly on the device, by a signed rollback instruction, or automatically when the active model is
/// unhealthy. None of them lowers the floor, so going back never lets an older package be installed again.
/// </summary>
public sealed partial class ModelStore
{
    /// <summary>
    /// Activates <paramref name="toVersion"/> (an installed version), or without it the version active before the
    /// current one. Throws <see cref="ModelStoreException"/> when there is nothing to roll back to or the version
    /// is not installed.
    /// </summary>
    public async Task<int> RollbackAsync(int? toVersion, string reason, CancellationToken cancellationToken = default)
    {
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return RollbackLocked(toVersion, reason);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>
    /// Carries out a signed rollback instruction after <see cref="RollbackInstructionCheck"/>: the version must be
    /// installed; the instruction's issue time and nonce are persisted so it cannot be replayed.
    /// </summary>
    public async Task<RollbackInstructionResult> ApplyRollbackAsync(
        ModelRollbackInstruction instruction,
        ModelRollbackMessage signed,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        ArgumentNullException.ThrowIfNull(signed);
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var problem = RollbackInstructionCheck.Problem(
                instruction,
                signed,
                _trust,
                _device.DeviceId,
                _clock.GetUtcNow(),
                TimeSpan.FromHours(_options.RollbackMaxAgeHours),
                _state.LastRollback);
            if (problem is null && !_manifests.ContainsKey(instruction.ToVersion))
            {
                problem = $"version {instruction.ToVersion} is not installed; installed: {InstalledList()}.";
            }

            if (problem is not null)
            {
                LogRollbackRefused(_logger, instruction.Nonce, problem);
                return new RollbackInstructionResult(false, $"Rollback refused: {problem}");
            }

            var mark = new RollbackMark(instruction.IssuedAt, instruction.Nonce);
            var what = $"signed rollback instruction {instruction.Nonce}";
            var active = RollbackLocked(instruction.ToVersion, $"{what} (key {instruction.KeyId})", mark);
            return new RollbackInstructionResult(true, $"Version {active} is active ({what}).");
        }
        catch (ModelStoreException e)
        {
            return new RollbackInstructionResult(false, $"Rollback refused: {e.Message}");
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Saves the new activation history (and <paramref name="mark"/>), then activates the target: a
    /// rollback the disk refuses changes nothing.</summary>
    private int RollbackLocked(int? toVersion, string reason, RollbackMark? mark = null)
    {
        var next = _state.Copy();
        var stack = next.ActivationStack;
        int target;
        if (toVersion is { } requested)
        {
            if (!_manifests.ContainsKey(requested))
            {
                throw new ModelStoreException($"Version {requested} is not installed. Installed: {InstalledList()}.");
            }

            target = requested;
        }
        else
        {
            if (stack.Count < 2)
            {
                throw new ModelStoreException("There is no earlier version to roll back to.");
            }

            target = stack[^2];
        }

        var model = Load(target)
            ?? throw new ModelStoreException($"Version {target} can no longer be loaded; see the log.");
        var from = ActiveVersion ?? 0;
        if (toVersion is null)
        {
            stack.RemoveAt(stack.Count - 1);
        }
        else if (stack.LastIndexOf(target) is var at and >= 0)
        {
            stack.RemoveRange(at + 1, stack.Count - at - 1);
        }
        else
        {
            stack.Add(target);
        }

        next.LastRollback = mark ?? next.LastRollback;
        string? partly;
        try
        {
            partly = _files.Write(next);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            model.Dispose();
            var why = StoreDiskSpace.IsFull(e) ? $"no disk space left ({e.Message})" : e.Message;
            var problem = $"The rollback to version {target} could not be saved: {why}. Version {from} stays active.";
            Report(problem);
            throw new ModelStoreException(problem, e);
        }

        _state = next;
        if (partly is not null)
        {
            Report(partly);
        }

        Activate(model);
        LogRolledBack(_logger, from, target, reason);
        return target;
    }

    private string InstalledList() => string.Join(", ", _manifests.Keys.Order());

    private void RollBackUnhealthy(string verdict)
    {
        if (_state.ActivationStack.Count < 2)
        {
            LogUnhealthyNoTarget(_logger, ActiveVersion ?? 0, verdict);
            lock (_healthLock)
            {
                Health.Reset();
            }

            return;
        }

        try
        {
            RollbackLocked(null, $"automatic: {verdict}");
        }
        catch (ModelStoreException e)
        {
            LogProblem(_logger, $"automatic rollback failed: {e.Message}");
        }
    }
}

/// <summary>What the store did with a signed rollback instruction.</summary>
/// <param name="Accepted">True when the named version is now active.</param>
/// <param name="Reason">Why, in words.</param>
public readonly record struct RollbackInstructionResult(bool Accepted, string Reason);
