// Command pulumi-language-nodejs is the Node.js language host the e2e gives the engine.
//
// The module proxy refuses the release-matching host module, so scripts/toolchain/build.sh
// builds the host from the last sdk/v3 release that held it as a package and installs it next
// to this program as pulumi-language-nodejs-base. This program starts that host, hands every
// call to it, and answers RunPlugin itself for policy packs (kind "analyzer"), which the older
// host does not support and through which the engine runs a Node.js policy pack when a
// language host is present: it starts @pulumi/pulumi/cmd/run-policy-pack from the pack's own
// node_modules behind the SDK's policy proxy, which hands the pack its stack configuration.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const baseName = "pulumi-language-nodejs-base"

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	base pulumirpc.LanguageRuntimeClient
}

func (h *host) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return h.base.GetRequiredPlugins(ctx, req)
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	return h.base.Run(ctx, req)
}

func (h *host) GetPluginInfo(ctx context.Context, req *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return h.base.GetPluginInfo(ctx, req)
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return h.base.About(ctx, req)
}

func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return h.base.GetProgramDependencies(ctx, req)
}

func (h *host) Cancel(ctx context.Context, req *emptypb.Empty) (*emptypb.Empty, error) {
	return h.base.Cancel(ctx, req)
}

func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	stream, err := h.base.InstallDependencies(server.Context(), req)
	if err != nil {
		return err
	}
	return relay(stream.Recv, server.Send)
}

// relay forwards every message the base host streams to the engine, until the base's stream ends.
func relay[T any](recv func() (*T, error), send func(*T) error) error {
	for {
		msg, err := recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := send(msg); err != nil {
			return err
		}
	}
}

// RunPlugin runs a Node.js policy pack; any other kind of plugin goes to the base host.
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	if req.GetKind() != string(apitype.AnalyzerPlugin) {
		stream, err := h.base.RunPlugin(server.Context(), req)
		if err != nil {
			return err
		}
		return relay(stream.Recv, server.Send)
	}
	ctx := server.Context()
	packDir := req.GetInfo().GetProgramDirectory()
	if packDir == "" {
		packDir = req.GetPwd()
	}

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	node, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	runPath, err := resolveModule(ctx, node, packDir, "@pulumi/pulumi/cmd/run-policy-pack")
	if err != nil {
		return err
	}

	env := append([]string{}, req.GetEnv()...)
	if typescript, ok := req.GetInfo().GetOptions().AsMap()["typescript"].(bool); !ok || typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}

	// The pack learns the stack it checks from its environment: wait for the engine to send
	// the stack configuration to the proxy, then start the pack with it.
	proxy, stdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("could not start the policy pack proxy: %w", err)
	}
	config, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("could not get the stack configuration: %w", err)
	}
	if config != nil {
		for k, v := range map[string]string{
			"PULUMI_NODEJS_ORGANIZATION": config.GetOrganization(),
			"PULUMI_NODEJS_PROJECT":      config.GetProject(),
			"PULUMI_NODEJS_STACK":        config.GetStack(),
			"PULUMI_NODEJS_DRY_RUN":      strconv.FormatBool(config.GetDryRun()),
		} {
			if v != "" {
				env = append(env, k+"="+v)
			}
		}
		if len(config.GetConfig()) > 0 {
			b, err := json.Marshal(config.GetConfig())
			if err != nil {
				return err
			}
			env = append(env, "PULUMI_CONFIG="+string(b))
		}
	}

	args := append([]string{runPath}, req.GetArgs()...)
	args = append(args, packDir)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = packDir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start the policy pack: %w", err)
	}
	if err := proxy.Attach(ctx, cmd); err != nil {
		return fmt.Errorf("could not attach to the policy pack: %w", err)
	}
	return closer.Close()
}

// resolveModule finds module mod as Node.js would from folder dir.
func resolveModule(ctx context.Context, node, dir, mod string) (string, error) {
	cmd := exec.CommandContext(ctx, node, "-e", "console.log(require.resolve(process.argv[1]))", mod)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("cannot find %s from %s (run npm install there): %w", mod, dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func main() {
	if err := serve(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func serve() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if resolved, err := filepath.EvalSymlinks(self); err == nil {
		self = resolved
	}

	// The base host takes the same arguments (flags, then the engine's address) and prints
	// the port it listens on.
	base := exec.Command(filepath.Join(filepath.Dir(self), baseName), os.Args[1:]...)
	base.Stderr = os.Stderr
	base.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	baseOut, err := base.StdoutPipe()
	if err != nil {
		return err
	}
	if err := base.Start(); err != nil {
		return err
	}
	defer func() { _ = base.Process.Kill() }()
	lines := bufio.NewReader(baseOut)
	portLine, err := lines.ReadString('\n')
	if err != nil {
		return fmt.Errorf("reading the base host's port: %w", err)
	}
	basePort, err := strconv.Atoi(strings.TrimSpace(portLine))
	if err != nil {
		return fmt.Errorf("the base host printed %q instead of its port", portLine)
	}
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", basePort),
		grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		return err
	}
	defer conn.Close()

	cancel := make(chan bool, 1)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-signals
		cancel <- true
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &host{base: pulumirpc.NewLanguageRuntimeClient(conn)})
			return nil
		},
	})
	if err != nil {
		return err
	}
	fmt.Printf("%d\n", handle.Port)
	go func() { _, _ = io.Copy(os.Stdout, lines) }()
	return <-handle.Done
}
