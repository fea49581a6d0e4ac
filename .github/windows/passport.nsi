; SPDX-License-Identifier: GPL-3.0-or-later
;
; The Windows installer of the app, built by .github/workflows/windows.yml
; from the tree that `meson install` and the workflow's copy steps left in
; STAGE (bin\passport.exe and its DLLs, lib\ with the GIO and gdk-pixbuf
; modules, share\ with the schemas, icons and translations):
;
;   makensis -DVERSION=0.1.0 -DSTAGE=D:\...\_stage -DOUTFILE=Passport-setup.exe passport.nsi
;
; One machine-wide install in Program Files, a Start menu entry, and an
; uninstaller listed in Apps & features.

Unicode true

!ifndef VERSION
  !error "makensis -DVERSION=... is needed"
!endif
!ifndef STAGE
  !error "makensis -DSTAGE=... is needed (the installed tree)"
!endif
!ifndef OUTFILE
  !define OUTFILE "Passport-${VERSION}-setup.exe"
!endif

!define NAME "Passport"
!define APP_ID "io.github.passportdesk.Passport"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"

!include "MUI2.nsh"

Name "${NAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${NAME}"
RequestExecutionLevel admin
SetCompressor /SOLID lzma

!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\bin\passport.exe"
!define MUI_FINISHPAGE_RUN_NOTCHECKED

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Russian"

; For every user of the machine: the Start menu entry in the common Start
; menu, and (a 64-bit app) the uninstall entry in the 64-bit registry view,
; not WOW6432Node, whichever stub (x86 or amd64) runs the installer.
Function .onInit
  SetShellVarContext all
  SetRegView 64
FunctionEnd

Function un.onInit
  SetShellVarContext all
  SetRegView 64
FunctionEnd

Section "Passport" SecApp
  SectionIn RO
  SetOutPath "$INSTDIR"
  File /r "${STAGE}\*.*"

  CreateShortcut "$SMPROGRAMS\${NAME}.lnk" "$INSTDIR\bin\passport.exe"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${NAME}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\bin\passport.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${NAME}.lnk"
  ; Only what the installer put there: the remembered sessions are in the
  ; Windows Credential Manager and the settings in the registry, both the
  ; user's, and stay.
  RMDir /r "$INSTDIR\bin"
  RMDir /r "$INSTDIR\lib"
  RMDir /r "$INSTDIR\share"
  RMDir /r "$INSTDIR\etc"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
SectionEnd
