// The part of ONNX Runtime's C API that Cairn uses, declared by hand: `OrtApi` is an append-only
// table of function pointers, so its first entries, in the order of onnxruntime_c_api.h, are a
// valid prefix of every version's table. Slots Cairn does not call are `void *`. The library is
// opened at run time with dlopen (see OnnxRuntimeLibrary.swift); nothing here links against it.
#ifndef CAIRN_CONNXRUNTIME_H
#define CAIRN_CONNXRUNTIME_H

#include <stddef.h>
#include <stdint.h>

#define CAIRN_ORT_API_VERSION 17

typedef struct OrtEnv OrtEnv;
typedef struct OrtStatus OrtStatus;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtSession OrtSession;
typedef struct OrtValue OrtValue;
typedef struct OrtRunOptions OrtRunOptions;
typedef struct OrtTypeInfo OrtTypeInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtSessionOptions OrtSessionOptions;
typedef struct OrtAllocator OrtAllocator;

typedef enum CairnOrtLoggingLevel { CAIRN_ORT_LOGGING_LEVEL_WARNING = 2, CAIRN_ORT_LOGGING_LEVEL_ERROR = 3 } CairnOrtLoggingLevel;
typedef enum CairnOrtGraphOptimizationLevel { CAIRN_ORT_ENABLE_ALL = 99 } CairnOrtGraphOptimizationLevel;
typedef enum CairnOrtAllocatorType { CAIRN_ORT_ARENA_ALLOCATOR = 1 } CairnOrtAllocatorType;
typedef enum CairnOrtMemType { CAIRN_ORT_MEM_TYPE_DEFAULT = 0 } CairnOrtMemType;
typedef enum CairnOnnxType { CAIRN_ONNX_TYPE_TENSOR = 1 } CairnOnnxType;

/// ONNXTensorElementDataType.
typedef enum CairnTensorElementType {
    CAIRN_TENSOR_UNDEFINED = 0, CAIRN_TENSOR_FLOAT = 1, CAIRN_TENSOR_UINT8 = 2, CAIRN_TENSOR_INT8 = 3,
    CAIRN_TENSOR_UINT16 = 4, CAIRN_TENSOR_INT16 = 5, CAIRN_TENSOR_INT32 = 6, CAIRN_TENSOR_INT64 = 7,
    CAIRN_TENSOR_STRING = 8, CAIRN_TENSOR_BOOL = 9, CAIRN_TENSOR_FLOAT16 = 10, CAIRN_TENSOR_DOUBLE = 11,
    CAIRN_TENSOR_UINT32 = 12, CAIRN_TENSOR_UINT64 = 13
} CairnTensorElementType;

typedef struct OrtApi {
    /* 0 */ void *CreateStatus;
    /* 1 */ void *GetErrorCode;
    /* 2 */ const char *(*GetErrorMessage)(const OrtStatus *status);
    /* 3 */ OrtStatus *(*CreateEnv)(CairnOrtLoggingLevel level, const char *logid, OrtEnv **out);
    /* 4 */ void *CreateEnvWithCustomLogger;
    /* 5 */ void *EnableTelemetryEvents;
    /* 6 */ OrtStatus *(*DisableTelemetryEvents)(const OrtEnv *env);
    /* 7 */ OrtStatus *(*CreateSession)(const OrtEnv *env, const char *model_path, const OrtSessionOptions *options, OrtSession **out);
    /* 8 */ void *CreateSessionFromArray;
    /* 9 */ OrtStatus *(*Run)(OrtSession *session, const OrtRunOptions *run_options, const char *const *input_names,
                              const OrtValue *const *inputs, size_t input_len, const char *const *output_names,
                              size_t output_names_len, OrtValue **outputs);
    /* 10 */ OrtStatus *(*CreateSessionOptions)(OrtSessionOptions **options);
    /* 11 */ void *SetOptimizedModelFilePath;
    /* 12 */ void *CloneSessionOptions;
    /* 13 */ void *SetSessionExecutionMode;
    /* 14 */ void *EnableProfiling;
    /* 15 */ void *DisableProfiling;
    /* 16 */ void *EnableMemPattern;
    /* 17 */ void *DisableMemPattern;
    /* 18 */ void *EnableCpuMemArena;
    /* 19 */ void *DisableCpuMemArena;
    /* 20 */ void *SetSessionLogId;
    /* 21 */ void *SetSessionLogVerbosityLevel;
    /* 22 */ void *SetSessionLogSeverityLevel;
    /* 23 */ OrtStatus *(*SetSessionGraphOptimizationLevel)(OrtSessionOptions *options, CairnOrtGraphOptimizationLevel level);
    /* 24 */ OrtStatus *(*SetIntraOpNumThreads)(OrtSessionOptions *options, int threads);
    /* 25 */ OrtStatus *(*SetInterOpNumThreads)(OrtSessionOptions *options, int threads);
    /* 26 */ void *CreateCustomOpDomain;
    /* 27 */ void *CustomOpDomain_Add;
    /* 28 */ void *AddCustomOpDomain;
    /* 29 */ void *RegisterCustomOpsLibrary;
    /* 30 */ OrtStatus *(*SessionGetInputCount)(const OrtSession *session, size_t *out);
    /* 31 */ OrtStatus *(*SessionGetOutputCount)(const OrtSession *session, size_t *out);
    /* 32 */ void *SessionGetOverridableInitializerCount;
    /* 33 */ OrtStatus *(*SessionGetInputTypeInfo)(const OrtSession *session, size_t index, OrtTypeInfo **type_info);
    /* 34 */ OrtStatus *(*SessionGetOutputTypeInfo)(const OrtSession *session, size_t index, OrtTypeInfo **type_info);
    /* 35 */ void *SessionGetOverridableInitializerTypeInfo;
    /* 36 */ OrtStatus *(*SessionGetInputName)(const OrtSession *session, size_t index, OrtAllocator *allocator, char **value);
    /* 37 */ OrtStatus *(*SessionGetOutputName)(const OrtSession *session, size_t index, OrtAllocator *allocator, char **value);
    /* 38 */ void *SessionGetOverridableInitializerName;
    /* 39 */ void *CreateRunOptions;
    /* 40 */ void *RunOptionsSetRunLogVerbosityLevel;
    /* 41 */ void *RunOptionsSetRunLogSeverityLevel;
    /* 42 */ void *RunOptionsSetRunTag;
    /* 43 */ void *RunOptionsGetRunLogVerbosityLevel;
    /* 44 */ void *RunOptionsGetRunLogSeverityLevel;
    /* 45 */ void *RunOptionsGetRunTag;
    /* 46 */ void *RunOptionsSetTerminate;
    /* 47 */ void *RunOptionsUnsetTerminate;
    /* 48 */ void *CreateTensorAsOrtValue;
    /* 49 */ OrtStatus *(*CreateTensorWithDataAsOrtValue)(const OrtMemoryInfo *info, void *p_data, size_t p_data_len,
                                                         const int64_t *shape, size_t shape_len, CairnTensorElementType type,
                                                         OrtValue **out);
    /* 50 */ OrtStatus *(*IsTensor)(const OrtValue *value, int *out);
    /* 51 */ OrtStatus *(*GetTensorMutableData)(OrtValue *value, void **out);
    /* 52 */ void *FillStringTensor;
    /* 53 */ void *GetStringTensorDataLength;
    /* 54 */ void *GetStringTensorContent;
    /* 55 */ OrtStatus *(*CastTypeInfoToTensorInfo)(const OrtTypeInfo *type_info, const OrtTensorTypeAndShapeInfo **out);
    /* 56 */ OrtStatus *(*GetOnnxTypeFromTypeInfo)(const OrtTypeInfo *type_info, CairnOnnxType *out);
    /* 57 */ void *CreateTensorTypeAndShapeInfo;
    /* 58 */ void *SetTensorElementType;
    /* 59 */ void *SetDimensions;
    /* 60 */ OrtStatus *(*GetTensorElementType)(const OrtTensorTypeAndShapeInfo *info, CairnTensorElementType *out);
    /* 61 */ OrtStatus *(*GetDimensionsCount)(const OrtTensorTypeAndShapeInfo *info, size_t *out);
    /* 62 */ OrtStatus *(*GetDimensions)(const OrtTensorTypeAndShapeInfo *info, int64_t *dim_values, size_t dim_values_length);
    /* 63 */ void *GetSymbolicDimensions;
    /* 64 */ OrtStatus *(*GetTensorShapeElementCount)(const OrtTensorTypeAndShapeInfo *info, size_t *out);
    /* 65 */ OrtStatus *(*GetTensorTypeAndShape)(const OrtValue *value, OrtTensorTypeAndShapeInfo **out);
    /* 66 */ void *GetTypeInfo;
    /* 67 */ void *GetValueType;
    /* 68 */ void *CreateMemoryInfo;
    /* 69 */ OrtStatus *(*CreateCpuMemoryInfo)(CairnOrtAllocatorType type, CairnOrtMemType mem_type, OrtMemoryInfo **out);
    /* 70 */ void *CompareMemoryInfo;
    /* 71 */ void *MemoryInfoGetName;
    /* 72 */ void *MemoryInfoGetId;
    /* 73 */ void *MemoryInfoGetMemType;
    /* 74 */ void *MemoryInfoGetType;
    /* 75 */ void *AllocatorAlloc;
    /* 76 */ OrtStatus *(*AllocatorFree)(OrtAllocator *allocator, void *p);
    /* 77 */ void *AllocatorGetInfo;
    /* 78 */ OrtStatus *(*GetAllocatorWithDefaultOptions)(OrtAllocator **out);
    /* 79 */ void *AddFreeDimensionOverride;
    /* 80 */ void *GetValue;
    /* 81 */ void *GetValueCount;
    /* 82 */ void *CreateValue;
    /* 83 */ void *CreateOpaqueValue;
    /* 84 */ void *GetOpaqueValue;
    /* 85 */ void *KernelInfoGetAttribute_float;
    /* 86 */ void *KernelInfoGetAttribute_int64;
    /* 87 */ void *KernelInfoGetAttribute_string;
    /* 88 */ void *KernelContext_GetInputCount;
    /* 89 */ void *KernelContext_GetOutputCount;
    /* 90 */ void *KernelContext_GetInput;
    /* 91 */ void *KernelContext_GetOutput;
    /* 92 */ void (*ReleaseEnv)(OrtEnv *value);
    /* 93 */ void (*ReleaseStatus)(OrtStatus *value);
    /* 94 */ void (*ReleaseMemoryInfo)(OrtMemoryInfo *value);
    /* 95 */ void (*ReleaseSession)(OrtSession *value);
    /* 96 */ void (*ReleaseValue)(OrtValue *value);
    /* 97 */ void *ReleaseRunOptions;
    /* 98 */ void (*ReleaseTypeInfo)(OrtTypeInfo *value);
    /* 99 */ void (*ReleaseTensorTypeAndShapeInfo)(OrtTensorTypeAndShapeInfo *value);
    /* 100 */ void (*ReleaseSessionOptions)(OrtSessionOptions *value);
} OrtApi;

typedef struct OrtApiBase {
    const OrtApi *(*GetApi)(uint32_t version);
    const char *(*GetVersionString)(void);
} OrtApiBase;

typedef const OrtApiBase *(*CairnOrtGetApiBaseFunction)(void);

#endif
