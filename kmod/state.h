/* SPDX-License-Identifier: GPL-2.0-only */
/* The vCPU state ioctls (ioctl table handlers; see ioctl.h). */
#ifndef MINIVIRT_STATE_H
#define MINIVIRT_STATE_H

struct mv_vcpu;

long mv_get_regs(void *vcpu, unsigned long arg, void *karg);
long mv_set_regs(void *vcpu, unsigned long arg, void *karg);
long mv_get_sregs(void *vcpu, unsigned long arg, void *karg);
long mv_set_sregs(void *vcpu, unsigned long arg, void *karg);
long mv_get_fpu(void *vcpu, unsigned long arg, void *karg);
long mv_set_fpu(void *vcpu, unsigned long arg, void *karg);
long mv_get_xsave(void *vcpu, unsigned long arg, void *karg);
long mv_set_xsave(void *vcpu, unsigned long arg, void *karg);
long mv_get_xcrs(void *vcpu, unsigned long arg, void *karg);
long mv_set_xcrs(void *vcpu, unsigned long arg, void *karg);
long mv_get_events(void *vcpu, unsigned long arg, void *karg);
long mv_set_events(void *vcpu, unsigned long arg, void *karg);
long mv_get_mp_state(void *vcpu, unsigned long arg, void *karg);
long mv_set_mp_state(void *vcpu, unsigned long arg, void *karg);
long mv_translate(void *vcpu, unsigned long arg, void *karg);

/* KVM_CAP_SYNC_REGS around KVM_RUN (sync_regs.c). */
int mv_sync_regs_in(struct mv_vcpu *vcpu);
void mv_sync_regs_out(struct mv_vcpu *vcpu);

#endif /* MINIVIRT_STATE_H */
