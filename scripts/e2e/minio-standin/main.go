// Command pulumi-resource-minio is the e2e's stand-in for the MinIO resource provider, whose
// Terraform provider (like the MinIO server) is AGPL and is never built or run here. It speaks the
// Pulumi resource provider gRPC protocol, checks every input the program sends against the
// @pulumi/minio 0.17.1 argument types and MinIO's own naming rules, and echoes accepted inputs
// back as outputs. It stores nothing: a bucket "exists" only in the Pulumi state.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// version is the @pulumi/minio package version the program's SDK asks the engine for.
const version = "0.17.1"

type failures []*pulumirpc.CheckFailure

func (f *failures) add(property, format string, args ...any) {
	*f = append(*f, &pulumirpc.CheckFailure{Property: property, Reason: fmt.Sprintf(format, args...)})
}

// kind is what the stand-in knows of one resource type: its input names (from the SDK's
// `<Type>Args`), which of them are required, which replace the resource when they change, the
// input that names it (its ID), and extra checks.
type kind struct {
	inputs   []string
	required []string
	replaces []string
	idFrom   string
	check    func(news resource.PropertyMap, f *failures)
}

var (
	// MinIO/S3 bucket names: 3-63 characters, lower-case letters, digits, dots and hyphens.
	bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	// The provider's ILM expiration: days ("30d") or a date.
	expiration = regexp.MustCompile(`^([0-9]+d|[0-9]{4}-[0-9]{2}-[0-9]{2})$`)
	endpoint   = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]+)?$`)
)

var kinds = map[string]kind{
	"minio:index/s3Bucket:S3Bucket": {
		inputs:   []string{"acl", "bucket", "bucketPrefix", "forceDestroy", "objectLocking", "quota"},
		replaces: []string{"bucket", "bucketPrefix", "objectLocking"},
		idFrom:   "bucket",
		check: func(n resource.PropertyMap, f *failures) {
			if s, ok := knownString(n, "bucket"); ok {
				checkBucket("bucket", s, f)
			} else if !n.HasValue("bucket") && !n.HasValue("bucketPrefix") {
				f.add("bucket", "one of bucket or bucketPrefix is required")
			}
			if s, ok := knownString(n, "acl"); ok && !oneOf(s, "private", "public-write", "public-read", "public-read-write", "public") {
				f.add("acl", "%q is not one of private, public-write, public-read, public-read-write, public", s)
			}
			checkBool(n, "forceDestroy", f)
			checkBool(n, "objectLocking", f)
		},
	},
	"minio:index/s3BucketVersioning:S3BucketVersioning": {
		inputs:   []string{"bucket", "versioningConfiguration"},
		required: []string{"bucket", "versioningConfiguration"},
		replaces: []string{"bucket"},
		idFrom:   "bucket",
		check: func(n resource.PropertyMap, f *failures) {
			if s, ok := knownString(n, "bucket"); ok {
				checkBucket("bucket", s, f)
			}
			if c, ok := knownObject(n, "versioningConfiguration"); ok {
				checkKeys("versioningConfiguration", c, []string{"status", "excludeFolders", "excludedPrefixes"}, f)
				if s, ok := knownString(c, "status"); !ok || !oneOf(s, "Enabled", "Suspended") {
					f.add("versioningConfiguration.status", "must be Enabled or Suspended")
				}
			}
		},
	},
	"minio:index/ilmPolicy:IlmPolicy": {
		inputs:   []string{"bucket", "rules"},
		required: []string{"bucket", "rules"},
		replaces: []string{"bucket"},
		idFrom:   "bucket",
		check: func(n resource.PropertyMap, f *failures) {
			if s, ok := knownString(n, "bucket"); ok {
				checkBucket("bucket", s, f)
			}
			v, ok := n["rules"]
			if !ok || !v.IsArray() {
				return
			}
			if len(v.ArrayValue()) == 0 {
				f.add("rules", "must list at least one rule")
			}
			ids := map[string]bool{}
			for i, r := range v.ArrayValue() {
				at := fmt.Sprintf("rules[%d]", i)
				if !r.IsObject() {
					f.add(at, "must be an object")
					continue
				}
				rule := r.ObjectValue()
				checkKeys(at, rule, []string{"expiration", "filter", "id", "noncurrentVersionExpirationDays", "status", "tags"}, f)
				if id, ok := knownString(rule, "id"); !ok || id == "" {
					f.add(at+".id", "is required")
				} else if ids[id] {
					f.add(at+".id", "%q is used by two rules", id)
				} else {
					ids[id] = true
				}
				if s, ok := knownString(rule, "status"); ok && !oneOf(s, "Enabled", "Disabled") {
					f.add(at+".status", "must be Enabled or Disabled")
				}
				if s, ok := knownString(rule, "expiration"); ok && !expiration.MatchString(s) {
					f.add(at+".expiration", "%q is neither <days>d nor a date", s)
				}
				if d, ok := rule["noncurrentVersionExpirationDays"]; ok && (!d.IsNumber() || d.NumberValue() < 1) {
					f.add(at+".noncurrentVersionExpirationDays", "must be a number of days, at least 1")
				}
				if !rule.HasValue("expiration") && !rule.HasValue("noncurrentVersionExpirationDays") {
					f.add(at, "has no action: set expiration or noncurrentVersionExpirationDays")
				}
			}
		},
	},
	"minio:index/iamUser:IamUser": {
		inputs:   []string{"disableUser", "forceDestroy", "name", "secret", "tags", "updateSecret"},
		replaces: []string{"name"},
		idFrom:   "name",
		check: func(n resource.PropertyMap, f *failures) {
			// MinIO's access keys are at least 3 characters, secret keys at least 8.
			if s, ok := knownString(n, "name"); ok && len(s) < 3 {
				f.add("name", "%q is shorter than MinIO's 3-character minimum for an access key", s)
			}
			if s, ok := knownString(n, "secret"); ok && len(s) < 8 {
				f.add("secret", "is shorter than MinIO's 8-character minimum for a secret key")
			}
			checkBool(n, "forceDestroy", f)
			checkBool(n, "disableUser", f)
		},
	},
	"minio:index/iamPolicy:IamPolicy": {
		inputs:   []string{"name", "namePrefix", "policy"},
		required: []string{"policy"},
		replaces: []string{"name", "namePrefix"},
		idFrom:   "name",
		check: func(n resource.PropertyMap, f *failures) {
			if s, ok := knownString(n, "policy"); ok {
				checkPolicy(s, f)
			}
		},
	},
	"minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment": {
		inputs:   []string{"policyName", "userName"},
		required: []string{"policyName", "userName"},
		replaces: []string{"policyName", "userName"},
		check: func(n resource.PropertyMap, f *failures) {
			for _, k := range []string{"policyName", "userName"} {
				if s, ok := knownString(n, resource.PropertyKey(k)); ok && s == "" {
					f.add(k, "is empty")
				}
			}
		},
	},
}

// The provider's own configuration (`new minio.Provider(...)`): the SDK's ProviderArgs.
var providerInputs = []string{
	"minioAccessKey", "minioApiVersion", "minioCacertFile", "minioCertFile", "minioInsecure", "minioKeyFile",
	"minioPassword", "minioRegion", "minioSecretKey", "minioServer", "minioSessionToken", "minioSsl", "minioUser",
	"version",
}

func knownString(m resource.PropertyMap, k resource.PropertyKey) (string, bool) {
	v, ok := m[k]
	if !ok {
		return "", false
	}
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsString() {
		return "", false
	}
	return v.StringValue(), true
}

func knownObject(m resource.PropertyMap, k resource.PropertyKey) (resource.PropertyMap, bool) {
	v, ok := m[k]
	if !ok || !v.IsObject() {
		return nil, false
	}
	return v.ObjectValue(), true
}

func oneOf(s string, allowed ...string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}

func checkBool(m resource.PropertyMap, k resource.PropertyKey, f *failures) {
	if v, ok := m[k]; ok && !v.IsComputed() && !v.IsBool() && !v.IsNull() {
		f.add(string(k), "must be a boolean")
	}
}

func checkKeys(at string, m resource.PropertyMap, allowed []string, f *failures) {
	for k := range m {
		if !oneOf(string(k), allowed...) {
			f.add(at+"."+string(k), "is not an input of this type (inputs: %s)", strings.Join(allowed, ", "))
		}
	}
}

func checkBucket(at, name string, f *failures) {
	if !bucketName.MatchString(name) || strings.Contains(name, "..") {
		f.add(at, "%q is not a valid bucket name (3-63 lower-case letters, digits, dots, hyphens)", name)
	}
}

// checkPolicy checks an IAM policy document the way MinIO parses one: a Version, and statements
// that each allow or deny actions on resources.
func checkPolicy(text string, f *failures) {
	var doc struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   any
			Resource any
		}
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		f.add("policy", "is not JSON: %v", err)
		return
	}
	if doc.Version != "2012-10-17" {
		f.add("policy", "Version is %q, not 2012-10-17", doc.Version)
	}
	if len(doc.Statement) == 0 {
		f.add("policy", "has no Statement")
	}
	for i, s := range doc.Statement {
		if !oneOf(s.Effect, "Allow", "Deny") {
			f.add("policy", "Statement[%d].Effect is %q, not Allow or Deny", i, s.Effect)
		}
		if s.Action == nil || s.Resource == nil {
			f.add("policy", "Statement[%d] needs Action and Resource", i)
		}
	}
}

type standin struct {
	pulumirpc.UnimplementedResourceProviderServer
}

var opts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, opts)
}

func (p *standin) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *standin) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":"minio","version":%q}`, version)}, nil
}

func (p *standin) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.News)
	if err != nil {
		return nil, err
	}
	var f failures
	checkKeys("provider", news, providerInputs, &f)
	if s, ok := knownString(news, "minioServer"); ok && !endpoint.MatchString(s) {
		f.add("minioServer", "%q is not host[:port]", s)
	} else if !ok && !news.HasValue("minioServer") {
		f.add("minioServer", "is required")
	}
	if !news.HasValue("minioUser") && !news.HasValue("minioAccessKey") {
		f.add("minioUser", "is required (or minioAccessKey)")
	}
	if !news.HasValue("minioPassword") && !news.HasValue("minioSecretKey") {
		f.add("minioPassword", "is required (or minioSecretKey)")
	}
	return &pulumirpc.CheckResponse{Inputs: req.News, Failures: f}, nil
}

func (p *standin) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return diff(req.OldInputs, req.News, nil)
}

func (p *standin) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func lookup(token string) (kind, error) {
	k, ok := kinds[token]
	if !ok {
		return kind{}, fmt.Errorf("the MinIO stand-in does not know resource type %s", token)
	}
	return k, nil
}

func (p *standin) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	k, err := lookup(req.Type)
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.News)
	if err != nil {
		return nil, err
	}
	var f failures
	checkKeys("inputs", news, k.inputs, &f)
	for _, r := range k.required {
		if !news.HasValue(resource.PropertyKey(r)) {
			f.add(r, "is required")
		}
	}
	// Like the Terraform provider, an IAM user or policy without a name is named after the resource.
	if k.idFrom == "name" && !news.HasValue("name") && !news.HasValue("namePrefix") {
		news["name"] = resource.NewStringProperty(req.Name)
	}
	if k.check != nil {
		k.check(news, &f)
	}
	inputs, err := plugin.MarshalProperties(news, opts)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: f}, nil
}

// diff compares what was stored with what is asked for, key by key.
func diff(olds, news *structpb.Struct, replaces []string) (*pulumirpc.DiffResponse, error) {
	o, err := unmarshal(olds)
	if err != nil {
		return nil, err
	}
	n, err := unmarshal(news)
	if err != nil {
		return nil, err
	}
	keys := map[resource.PropertyKey]bool{}
	for k := range o {
		keys[k] = true
	}
	for k := range n {
		keys[k] = true
	}
	var changed, replace []string
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for k := range keys {
		ov, inOld := o[k]
		nv, inNew := n[k]
		if inOld && inNew && !nv.ContainsUnknowns() && ov.DeepEquals(nv) {
			continue
		}
		name := string(k)
		changed = append(changed, name)
		kind := pulumirpc.PropertyDiff_UPDATE
		if !inOld {
			kind = pulumirpc.PropertyDiff_ADD
		} else if !inNew {
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if oneOf(name, replaces...) {
			replace = append(replace, name)
			kind += pulumirpc.PropertyDiff_ADD_REPLACE - pulumirpc.PropertyDiff_ADD
		}
		detailed[name] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	sort.Strings(changed)
	sort.Strings(replace)
	changes := pulumirpc.DiffResponse_DIFF_NONE
	if len(changed) > 0 {
		changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return &pulumirpc.DiffResponse{Changes: changes, Diffs: changed, Replaces: replace, DetailedDiff: detailed, HasDetailedDiff: true}, nil
}

func (p *standin) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	k, err := lookup(req.Type)
	if err != nil {
		return nil, err
	}
	olds := req.OldInputs
	if olds == nil {
		olds = req.Olds
	}
	return diff(olds, req.News, k.replaces)
}

func idOf(k kind, props resource.PropertyMap, urn string) string {
	if k.idFrom != "" {
		if s, ok := knownString(props, resource.PropertyKey(k.idFrom)); ok {
			return s
		}
	}
	if u, ok := knownString(props, "userName"); ok {
		if pol, ok := knownString(props, "policyName"); ok {
			return u + "/" + pol
		}
	}
	return urn
}

func (p *standin) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	k, err := lookup(req.Type)
	if err != nil {
		return nil, err
	}
	props, err := unmarshal(req.Properties)
	if err != nil {
		return nil, err
	}
	id := ""
	if !req.Preview {
		id = idOf(k, props, req.Urn)
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: req.Properties}, nil
}

func (p *standin) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.Id, Properties: req.Properties, Inputs: req.Inputs}, nil
}

func (p *standin) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if _, err := lookup(req.Type); err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: req.News}, nil
}

func (p *standin) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *standin) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println(version)
		return
	}
	fmt.Fprintln(os.Stderr, "pulumi-resource-minio: e2e stand-in (checks inputs and echoes them; no MinIO involved)")
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, &standin{})
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-minio: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-minio: %v\n", err)
		os.Exit(1)
	}
}
