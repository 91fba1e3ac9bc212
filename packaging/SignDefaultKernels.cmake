# Signs the agent's default kernels with a key made for this build, then destroys its private
# half: the packaged config trusts only the public half (etc/pyvc-agent/trusted-keys/
# pyvc-package.pub), so these libraries run under it and nothing else can ever be signed with it.
# cmake -DPYVC=<host pyvc> -DKERNELS="a.so;b.so" -DPUBLIC_KEY=<out .pub> -P SignDefaultKernels.cmake
foreach(variable PYVC KERNELS PUBLIC_KEY)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "SignDefaultKernels.cmake: -D${variable}=... is required")
  endif()
endforeach()
get_filename_component(key_folder "${PUBLIC_KEY}" DIRECTORY)
set(scratch "${key_folder}/.signing")
file(REMOVE_RECURSE "${scratch}")
file(MAKE_DIRECTORY "${scratch}")
execute_process(COMMAND "${PYVC}" keygen "${scratch}/pyvc-package" OUTPUT_QUIET
                COMMAND_ERROR_IS_FATAL ANY)
foreach(kernel IN LISTS KERNELS)
  execute_process(COMMAND "${PYVC}" sign "${kernel}" --key "${scratch}/pyvc-package.key"
                  OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
endforeach()
file(COPY_FILE "${scratch}/pyvc-package.pub" "${PUBLIC_KEY}")
file(REMOVE_RECURSE "${scratch}")
