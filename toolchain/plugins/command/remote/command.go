package remote

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
)

var (
	_ infer.CustomResource[CommandInputs, CommandOutputs] = (*Command)(nil)
	_ infer.CustomUpdate[CommandInputs, CommandOutputs]   = (*Command)(nil)
	_ infer.CustomDelete[CommandOutputs]                  = (*Command)(nil)
)

// engineLog adapts the engine's logger for one request.
type engineLog struct{ ctx context.Context }

func (l engineLog) InfoStatus(msg string) { p.GetLogger(l.ctx).InfoStatus(msg) }
func (l engineLog) Warning(msg string)    { p.GetLogger(l.ctx).Warning(msg) }

// Create runs `create` (nothing at preview, or when there is no `create`).
func (*Command) Create(ctx context.Context, req infer.CreateRequest[CommandInputs]) (infer.CreateResponse[CommandOutputs], error) {
	state := CommandOutputs{CommandInputs: req.Inputs}
	id, err := newID(req.Name)
	if err != nil || req.DryRun || req.Inputs.Create == nil {
		return infer.CreateResponse[CommandOutputs]{ID: id, Output: state}, err
	}
	// A failed create leaves no resource behind (plain error): nothing will run its `delete`.
	err = state.run(ctx, *req.Inputs.Create, engineLog{ctx})
	return infer.CreateResponse[CommandOutputs]{ID: id, Output: state}, err
}

// Update runs `update`, or `create` when there is no `update`, with the previous run's output at hand.
func (*Command) Update(ctx context.Context, req infer.UpdateRequest[CommandInputs, CommandOutputs]) (infer.UpdateResponse[CommandOutputs], error) {
	state := CommandOutputs{CommandInputs: req.Inputs, Stdout: req.State.Stdout, Stderr: req.State.Stderr}
	if req.DryRun {
		return infer.UpdateResponse[CommandOutputs]{Output: state}, nil
	}
	cmd := req.Inputs.Update
	if cmd == nil {
		cmd = req.Inputs.Create
	}
	if cmd == nil {
		return infer.UpdateResponse[CommandOutputs]{Output: state}, nil
	}
	err := state.run(ctx, *cmd, engineLog{ctx})
	return infer.UpdateResponse[CommandOutputs]{Output: state}, err
}

// Delete runs the `delete` stored with the resource, with the connection stored with it.
func (*Command) Delete(ctx context.Context, req infer.DeleteRequest[CommandOutputs]) (infer.DeleteResponse, error) {
	if req.State.Delete == nil {
		return infer.DeleteResponse{}, nil
	}
	state := req.State
	return infer.DeleteResponse{}, state.run(ctx, *req.State.Delete, engineLog{ctx})
}

// newID is the resource's name with a random suffix, as Pulumi's own providers name what has no natural ID.
func newID(name string) (string, error) {
	suffix := make([]byte, 8)
	if _, err := rand.Read(suffix); err != nil {
		return "", err
	}
	return name + hex.EncodeToString(suffix), nil
}
